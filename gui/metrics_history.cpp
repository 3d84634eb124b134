#include "gui/metrics_history.hpp"

#include <algorithm>

#include "gui/event_text.hpp"
#include "gui/relay_heatmap.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

namespace {
double seconds(ev::micros t) {
    return static_cast<double>(t.count()) / 1e6;
}
double millis(ev::micros t) {
    return static_cast<double>(t.count()) / 1e3;
}
}  // namespace

bool MetricsHistory::isSpreadSeries(const QString& name) {
    return name == kBusiestRelay || name == kAverageRelay || name == kLeastBusyRelay;
}

MetricsHistory::MetricsHistory(QObject* parent) : QObject(parent) {}

void MetricsHistory::clear() {
    clientsPerRelay_.clear();
    for (TimeSeries* s :
         {&published_, &delivered_, &p50_, &p99_, &ratio_, &reconnects_, &failures_})
        s->clear();
    markers_.clear();
    now_ = 0;
    duration_ = 0;
    reconnectsInPeriod_ = 0;
    lastFailuresTotal_ = 0;
    dirty_ = true;
}

void MetricsHistory::addMarker(double t, QString label, bool fault) {
    if (markers_.size() >= kMaxMarkers)
        markers_.erase(markers_.begin());
    markers_.push_back(TimeMarker{t, std::move(label), fault});
}

void MetricsHistory::apply(const ev::event& e) {
    const double t = seconds(ev::event_time(e));
    now_ = std::max(now_, t);
    if (const auto* s = std::get_if<ev::run_started>(&e)) {
        clear();
        duration_ = seconds(s->duration);
    } else if (const auto* m = std::get_if<ev::metrics>(&e)) {
        const double period = seconds(m->period);
        if (useHeatMap(static_cast<int>(m->relays.size()))) {
            // Hundreds of lines read as noise and cost a series each: past a screenful of
            // relays the chart shows the spread, busiest / average / least busy relay.
            for (auto it = clientsPerRelay_.begin(); it != clientsPerRelay_.end();)
                it = isSpreadSeries(it.key()) ? std::next(it) : clientsPerRelay_.erase(it);
            std::uint64_t lo = m->relays.front().clients, hi = lo, sum = 0;
            for (const auto& r : m->relays) {
                lo = std::min<std::uint64_t>(lo, r.clients);
                hi = std::max<std::uint64_t>(hi, r.clients);
                sum += r.clients;
            }
            clientsPerRelay_[kBusiestRelay].append(t, static_cast<double>(hi));
            clientsPerRelay_[kAverageRelay].append(
                t, static_cast<double>(sum) / static_cast<double>(m->relays.size()));
            clientsPerRelay_[kLeastBusyRelay].append(t, static_cast<double>(lo));
        } else {
            for (const auto& r : m->relays)
                clientsPerRelay_[qs(r.relay)].append(t, r.clients);
        }
        published_.append(t, m->publishes_per_s);
        delivered_.append(t, m->deliveries_per_s);
        if (m->deliveries > 0) {
            p50_.append(t, millis(m->latency_p50));
            p99_.append(t, millis(m->latency_p99));
        }
        if (m->publishes > 0 && m->clients_connected > 0)
            ratio_.append(t, static_cast<double>(m->deliveries) /
                                 (static_cast<double>(m->publishes) * m->clients_connected));
        if (period > 0) {
            reconnects_.append(t, static_cast<double>(reconnectsInPeriod_) / period);
            const std::uint64_t newFailures = m->connect_failures_total >= lastFailuresTotal_
                                                  ? m->connect_failures_total - lastFailuresTotal_
                                                  : 0;
            failures_.append(t, static_cast<double>(newFailures) / period);
        }
        reconnectsInPeriod_ = 0;
        lastFailuresTotal_ = m->connect_failures_total;
        dirty_ = true;
    } else if (const auto* c = std::get_if<ev::client_connected>(&e)) {
        reconnectsInPeriod_ += c->reconnect ? 1 : 0;
    } else if (const auto* a = std::get_if<ev::action_applied>(&e)) {
        addMarker(t, qs(std::string(ev::to_string(a->kind))) + QStringLiteral(" ") + qs(a->target),
                  false);
        dirty_ = true;
    } else if (const auto* f = std::get_if<ev::fault_changed>(&e)) {
        addMarker(t,
                  (f->active ? qs(f->toxic) : QStringLiteral("clear")) + QStringLiteral(" ") +
                      qs(f->link),
                  true);
        dirty_ = true;
    }
}

void MetricsHistory::endBatch() {
    if (!dirty_)
        return;
    dirty_ = false;
    Q_EMIT updated();
}

}  // namespace switchyard::gui
