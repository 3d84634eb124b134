#pragma once
// The live charts: clients per relay, published and delivered msg/s, p50/p99 latency,
// delivery ratio, reconnects and connect failures. All share one time axis (the same range on
// every chart) and show the same fault and action markers.
#include <QMap>
#include <QWidget>

#include <vector>

#include "gui/theme.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace switchyard::gui {

class MetricsHistory;
class TimeSeries;

/// Redraws from the history at most once per batch (on `MetricsHistory::updated`). Only the
/// points inside the visible window are handed to Qt Charts, and at most `kMaxVisibleMarkers`
/// marker lines are drawn per chart.
class ChartsPanel : public QWidget {
    Q_OBJECT
  public:
    static constexpr int kMaxVisibleMarkers = 16;
    static constexpr double kDefaultWindowS = 0;  ///< whole run

    ChartsPanel(MetricsHistory& history, QWidget* parent = nullptr);
    void setTheme(const Theme& t);
    /// Seconds of history shown; 0 = the whole run.
    void setWindowSeconds(double s);
    double windowSeconds() const { return window_; }
    /// Visible x range [from, to] shared by every chart (the timeline uses it too).
    std::pair<double, double> xRange() const;
    void refresh();
    /// Number of points currently handed to the chart titled `title` (tests).
    int pointsIn(const QString& title) const;

  Q_SIGNALS:
    void rangeChanged(double from, double to);

  private:
    struct Box {
        QChart* chart = nullptr;
        QChartView* view = nullptr;
        QValueAxis* x = nullptr;
        QValueAxis* y = nullptr;
        std::vector<QLineSeries*> series;
        std::vector<QLineSeries*> markers;
        bool fixedY = false;
    };
    Box makeBox(const QString& title, const QString& yTitle);
    QLineSeries* addSeries(Box& b, const QString& name);
    void feed(QLineSeries* s, const TimeSeries& data, double from);
    void finishBox(Box& b, double from, double to, double yMax);
    void styleBox(Box& b);

    MetricsHistory& history_;
    Theme theme_ = Theme::darkTheme();
    double window_ = kDefaultWindowS;
    Box clients_, rates_, latency_, ratio_, reconnects_;
    QMap<QString, QLineSeries*> relaySeries_;
    QLineSeries *published_, *delivered_, *p50_, *p99_, *ratioLine_, *reconnectLine_, *failureLine_;
};

}  // namespace switchyard::gui
