#pragma once
// Every model the dashboard shows, fed from one place: a batch of events goes in, each model
// takes what it needs, and each emits its own small change signals once per batch.
#include <QObject>
#include <QString>

#include <vector>

#include "engine/events/event.hpp"
#include "gui/assertions_model.hpp"
#include "gui/event_log_filter.hpp"
#include "gui/event_log_model.hpp"
#include "gui/metrics_history.hpp"
#include "gui/relay_table_model.hpp"
#include "gui/topology_model.hpp"

namespace switchyard::gui {

/// One mark on the timeline strip.
struct TimelineItem {
    double t = 0;  ///< seconds on the run clock
    QString label;
    EventCategory category = EventCategory::Action;
    bool bad = false;
    bool planned = false;  ///< ahead: known from the scenario or the replayed file, not done yet
    QString tag;           ///< short label drawn next to the mark
};

/// Owns the models; `applyBatch` is the only way events reach them. Lives on the UI thread.
class DashboardModels : public QObject {
    Q_OBJECT
  public:
    static constexpr std::size_t kMaxTimelineItems = 2000;

    explicit DashboardModels(QObject* parent = nullptr);

    TopologyModel& topology() { return topology_; }
    const TopologyModel& topology() const { return topology_; }
    RelayTableModel& relays() { return relays_; }
    EventLogModel& log() { return log_; }
    EventLogFilter& logFilter() { return logFilter_; }
    AssertionsModel& assertions() { return assertions_; }
    MetricsHistory& history() { return history_; }

    void applyBatch(const std::vector<events::event>& batch);
    void apply(const events::event& e) { applyBatch({e}); }
    /// Forgets everything (a new file or run); planned timeline items are kept.
    void clear();
    /// Timeline items that are known ahead (actions from a scenario or a replay file).
    void setPlanned(std::vector<TimelineItem> planned);
    void setTheme(const Theme& t);

    const std::vector<TimelineItem>& timeline() const { return timeline_; }
    const std::vector<TimelineItem>& planned() const { return planned_; }
    QString scenario() const { return scenario_; }
    QString verdict() const { return verdict_; }
    double now() const { return history_.now(); }
    std::uint64_t eventsApplied() const { return applied_; }

    /// Whether an event is a timeline mark (actions, faults, health, assertions, run ends).
    static bool isTimelineEvent(const events::event& e);

  Q_SIGNALS:
    /// Sampled deliveries of the batch, for the flow animation.
    void deliveries(const std::vector<switchyard::events::delivery_sample>& samples);
    void timelineChanged();
    void batchApplied();

  private:
    TopologyModel topology_;
    RelayTableModel relays_;
    EventLogModel log_;
    EventLogFilter logFilter_;
    AssertionsModel assertions_;
    MetricsHistory history_;
    std::vector<TimelineItem> timeline_;
    std::vector<TimelineItem> planned_;
    QString scenario_;
    QString verdict_;
    std::uint64_t applied_ = 0;
};

}  // namespace switchyard::gui
