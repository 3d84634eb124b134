#include "gui/dashboard_models.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

DashboardModels::DashboardModels(QObject* parent) : QObject(parent) {
    relays_.setSourceModel(&topology_);
    logFilter_.setSourceModel(&log_);
}

bool DashboardModels::isTimelineEvent(const ev::event& e) {
    return std::holds_alternative<ev::action_applied>(e) ||
           std::holds_alternative<ev::fault_changed>(e) ||
           std::holds_alternative<ev::health_changed>(e) ||
           std::holds_alternative<ev::assertion_result>(e) ||
           std::holds_alternative<ev::run_started>(e) ||
           std::holds_alternative<ev::run_finished>(e);
}

void DashboardModels::applyBatch(const std::vector<ev::event>& batch) {
    std::vector<ev::delivery_sample> samples;
    bool timelineDirty = false;
    topology_.beginBatch();
    for (const auto& e : batch) {
        if (const auto* s = std::get_if<ev::run_started>(&e)) {
            scenario_ = qs(s->scenario);
            verdict_.clear();
            timeline_.clear();
            timelineDirty = true;
        } else if (const auto* f = std::get_if<ev::run_finished>(&e)) {
            verdict_ = qs(f->verdict);
        } else if (const auto* d = std::get_if<ev::delivery_sample>(&e)) {
            samples.push_back(*d);
        }
        topology_.apply(e);
        assertions_.apply(e);
        history_.apply(e);
        if (isTimelineEvent(e)) {
            const EventText t = describe(e);
            if (timeline_.size() >= kMaxTimelineItems)
                timeline_.erase(timeline_.begin());
            timeline_.push_back(TimelineItem{static_cast<double>(ev::event_time(e).count()) / 1e6,
                                             t.text, t.category, t.bad, false, shortLabel(e)});
            timelineDirty = true;
        }
    }
    topology_.endBatch();
    log_.appendBatch(batch);
    history_.endBatch();
    applied_ += batch.size();
    if (!samples.empty())
        Q_EMIT deliveries(samples);
    if (timelineDirty)
        Q_EMIT timelineChanged();
    Q_EMIT batchApplied();
}

void DashboardModels::clear() {
    topology_.reset();
    log_.clear();
    assertions_.clear();
    history_.clear();
    history_.endBatch();
    timeline_.clear();
    scenario_.clear();
    verdict_.clear();
    applied_ = 0;
    Q_EMIT timelineChanged();
    Q_EMIT batchApplied();
}

void DashboardModels::setPlanned(std::vector<TimelineItem> planned) {
    planned_ = std::move(planned);
    for (auto& p : planned_)
        p.planned = true;
    Q_EMIT timelineChanged();
}

void DashboardModels::setTheme(const Theme& t) {
    relays_.setTheme(t);
    log_.setTheme(t);
    assertions_.setTheme(t);
}

}  // namespace switchyard::gui
