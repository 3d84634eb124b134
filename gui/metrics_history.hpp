#pragma once
// Everything the charts draw, kept as bounded time series on the run clock (seconds), plus
// the fault and action markers they share.
#include <QMap>
#include <QObject>
#include <QString>

#include <vector>

#include "engine/events/event.hpp"
#include "gui/time_series.hpp"

namespace switchyard::gui {

/// One marker on the shared time axis.
struct TimeMarker {
    double t = 0;
    QString label;
    bool fault = false;  ///< fault (red) or action (amber)
};

/// Fed by `apply` per event; emits `updated` once per `endBatch` so charts redraw at most once
/// per drain. At most `kMaxMarkers` markers are kept (the newest).
class MetricsHistory : public QObject {
    Q_OBJECT
  public:
    static constexpr std::size_t kMaxMarkers = 200;

    explicit MetricsHistory(QObject* parent = nullptr);
    void apply(const events::event& e);
    void endBatch();
    void clear();

    /// Clients of each relay, by relay name. Past kHeatMapAboveRelays relays in a metrics event:
    /// three series instead, the busiest, the average and the least busy relay of each period.
    const QMap<QString, TimeSeries>& clientsPerRelay() const { return clientsPerRelay_; }
    static inline const QString kBusiestRelay = QStringLiteral("busiest relay");
    static inline const QString kAverageRelay = QStringLiteral("average relay");
    static inline const QString kLeastBusyRelay = QStringLiteral("least busy relay");
    static bool isSpreadSeries(const QString& name);
    const TimeSeries& published() const { return published_; }
    const TimeSeries& delivered() const { return delivered_; }
    const TimeSeries& p50() const { return p50_; }
    const TimeSeries& p99() const { return p99_; }
    /// deliveries / (publishes × connected clients) per period: exact when every client
    /// subscribes to every published channel (the default scenarios), an estimate otherwise.
    const TimeSeries& deliveryRatio() const { return ratio_; }
    const TimeSeries& reconnects() const { return reconnects_; }
    const TimeSeries& connectFailures() const { return failures_; }
    const std::vector<TimeMarker>& markers() const { return markers_; }
    /// Latest event time seen, seconds.
    double now() const { return now_; }
    /// Planned run length in seconds (0 unknown).
    double duration() const { return duration_; }

  Q_SIGNALS:
    void updated();

  private:
    void addMarker(double t, QString label, bool fault);

    QMap<QString, TimeSeries> clientsPerRelay_;
    TimeSeries published_, delivered_, p50_, p99_, ratio_, reconnects_, failures_;
    std::vector<TimeMarker> markers_;
    double now_ = 0;
    double duration_ = 0;
    std::uint64_t reconnectsInPeriod_ = 0;
    std::uint64_t lastFailuresTotal_ = 0;
    bool dirty_ = false;
};

}  // namespace switchyard::gui
