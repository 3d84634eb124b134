#pragma once
// The timeline strip: the whole run from 0 to its planned end, scenario actions ahead (hollow)
// and done (filled), faults, health changes and assertion results in lanes, a "now" cursor and
// the charts' visible window shaded, so the charts' markers can be read against named events.
#include <QWidget>

#include "gui/theme.hpp"

namespace switchyard::gui {

class DashboardModels;

class TimelineWidget : public QWidget {
    Q_OBJECT
  public:
    TimelineWidget(DashboardModels& models, QWidget* parent = nullptr);
    void setTheme(const Theme& t);
    void setWindow(double from, double to);
    QSize sizeHint() const override { return {800, 78}; }
    /// Run time span drawn, seconds.
    double span() const;

  Q_SIGNALS:
    /// The user clicked the strip at run time `seconds` (a replay jumps there).
    void seekRequested(double seconds);

  protected:
    void mousePressEvent(QMouseEvent* e) override;
    void paintEvent(QPaintEvent*) override;
    bool event(QEvent* e) override;

  private:
    int laneOf(int category) const;
    double xOf(double t) const;

    DashboardModels& models_;
    Theme theme_ = Theme::darkTheme();
    double windowFrom_ = 0, windowTo_ = 0;
};

}  // namespace switchyard::gui
