#include "gui/event_text.hpp"

#include <type_traits>

namespace switchyard::gui {

namespace ev = switchyard::events;

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString compact(double v) {
    if (v >= 999'500)
        return QString::number(v / 1e6, 'f', v >= 9'950'000 ? 0 : 1) + QStringLiteral("M");
    if (v >= 9'995)
        return QString::number(v / 1e3, 'f', 0) + QStringLiteral("k");
    if (v >= 1'000)
        return QString::number(v / 1e3, 'f', 1) + QStringLiteral("k");
    return QString::number(v, 'f', 0);
}

QString categoryName(EventCategory c) {
    switch (c) {
        case EventCategory::Run:
            return QStringLiteral("run");
        case EventCategory::Component:
            return QStringLiteral("component");
        case EventCategory::Health:
            return QStringLiteral("health");
        case EventCategory::Client:
            return QStringLiteral("client");
        case EventCategory::Action:
            return QStringLiteral("action");
        case EventCategory::Fault:
            return QStringLiteral("fault");
        case EventCategory::Assertion:
            return QStringLiteral("assertion");
        case EventCategory::Log:
            return QStringLiteral("log");
        case EventCategory::Traffic:
            return QStringLiteral("traffic");
    }
    return {};
}

EventCategory categoryOf(const ev::event& e) {
    return describe(e).category;
}

QString formatTime(ev::micros at) {
    return QString::number(static_cast<double>(at.count()) / 1e6, 'f', 3) + QStringLiteral(" s");
}

namespace {

QString ms(ev::micros d) {
    return QString::number(static_cast<double>(d.count()) / 1000.0, 'f', 1) + QStringLiteral(" ms");
}

/// " · fleet web" for client events that name their fleet (logs from before the field: "").
QString fleetSuffix(const std::string& fleet) {
    return fleet.empty() ? QString() : QStringLiteral(" · fleet ") + qs(fleet);
}

bool isDeathState(const std::string& s) {
    return s == "killed" || s == "exited" || s == "failed";
}

}  // namespace

EventText describe(const ev::event& e) {
    EventText t;
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ev::run_started>) {
                t.category = EventCategory::Run;
                t.subject = qs(v.scenario);
                t.text = QStringLiteral("run started: %1 (seed %2, %3 s)")
                             .arg(qs(v.file.empty() ? v.scenario : v.file))
                             .arg(v.seed)
                             .arg(static_cast<double>(v.duration.count()) / 1e6);
            } else if constexpr (std::is_same_v<T, ev::run_finished>) {
                t.category = EventCategory::Run;
                t.subject = qs(v.verdict);
                t.text =
                    QStringLiteral("run finished: %1 (exit %2)%3")
                        .arg(qs(v.verdict))
                        .arg(v.exit_code)
                        .arg(v.detail.empty() ? QString() : QStringLiteral(" — ") + qs(v.detail));
                t.bad = v.verdict != "passed";
            } else if constexpr (std::is_same_v<T, ev::component_changed>) {
                t.category = EventCategory::Component;
                t.subject = qs(v.component);
                t.text = QStringLiteral("%1 %2").arg(qs(v.kind), qs(v.state));
                if (v.pid != 0)
                    t.text += QStringLiteral(" pid %1").arg(v.pid);
                if (v.port != 0)
                    t.text += QStringLiteral(" port %1").arg(v.port);
                t.bad = isDeathState(v.state);
            } else if constexpr (std::is_same_v<T, ev::health_changed>) {
                t.category = EventCategory::Health;
                t.subject = qs(v.backend);
                t.text = QStringLiteral("balancer sees %1: %2 → %3")
                             .arg(qs(v.backend),
                                  v.from.empty() ? QStringLiteral("new") : qs(v.from), qs(v.to));
                t.bad = v.to == "down";
            } else if constexpr (std::is_same_v<T, ev::client_connected>) {
                t.category = EventCategory::Client;
                t.subject = QStringLiteral("client %1").arg(v.client);
                t.text = QStringLiteral("%1 to %2 (%3)")
                             .arg(v.reconnect ? QStringLiteral("reconnected")
                                              : QStringLiteral("connected"),
                                  qs(v.relay), qs(v.placement)) +
                         fleetSuffix(v.fleet);
            } else if constexpr (std::is_same_v<T, ev::client_disconnected>) {
                t.category = EventCategory::Client;
                t.subject = QStringLiteral("client %1").arg(v.client);
                t.text = QStringLiteral("disconnected from %1: %2").arg(qs(v.relay), qs(v.reason)) +
                         fleetSuffix(v.fleet);
            } else if constexpr (std::is_same_v<T, ev::connect_failed>) {
                t.category = EventCategory::Client;
                t.subject = QStringLiteral("client %1").arg(v.client);
                t.text =
                    QStringLiteral("connect failed: %1").arg(qs(v.reason)) + fleetSuffix(v.fleet);
                t.bad = true;
            } else if constexpr (std::is_same_v<T, ev::resume_gap>) {
                t.category = EventCategory::Client;
                t.subject = QStringLiteral("client %1").arg(v.client);
                t.text = QStringLiteral("resume gap on %1: asked from %2, oldest kept %3")
                             .arg(qs(v.channel))
                             .arg(v.requested)
                             .arg(v.oldest);
                t.bad = true;
            } else if constexpr (std::is_same_v<T, ev::delivery_sample>) {
                t.category = EventCategory::Traffic;
                t.subject = qs(v.relay);
                t.text = QStringLiteral("client %1 got %2#%3 from %4 in %5")
                             .arg(v.client)
                             .arg(qs(v.channel))
                             .arg(v.seq)
                             .arg(v.publisher)
                             .arg(ms(v.latency));
            } else if constexpr (std::is_same_v<T, ev::metrics>) {
                t.category = EventCategory::Traffic;
                t.subject = QStringLiteral("metrics");
                t.text = QStringLiteral("%1 clients, %2 pub/s, %3 deliv/s, p99 %4")
                             .arg(v.clients_connected)
                             .arg(v.publishes_per_s, 0, 'f', 0)
                             .arg(v.deliveries_per_s, 0, 'f', 0)
                             .arg(ms(v.latency_p99));
            } else if constexpr (std::is_same_v<T, ev::action_applied>) {
                t.category = EventCategory::Action;
                t.subject = qs(v.target);
                t.text =
                    QStringLiteral("[%1] %2 %3")
                        .arg(qs(v.source), qs(std::string(ev::to_string(v.kind))), qs(v.target));
                if (!v.detail.empty())
                    t.text += QStringLiteral(" (%1)").arg(qs(v.detail));
                if (!v.ok)
                    t.text += QStringLiteral(" — failed: %1").arg(qs(v.error));
                t.bad = !v.ok;
            } else if constexpr (std::is_same_v<T, ev::fault_changed>) {
                t.category = EventCategory::Fault;
                t.subject = qs(v.link);
                t.text = v.active ? QStringLiteral("fault %1 on %2").arg(qs(v.toxic), qs(v.link))
                                  : QStringLiteral("fault cleared on %1").arg(qs(v.link));
                if (!v.detail.empty())
                    t.text += QStringLiteral(" (%1)").arg(qs(v.detail));
            } else if constexpr (std::is_same_v<T, ev::assertion_result>) {
                t.category = EventCategory::Assertion;
                t.subject = qs(v.name);
                t.text =
                    QStringLiteral("%1 %2: measured %3, expected %4")
                        .arg(v.passed ? QStringLiteral("PASS") : QStringLiteral("FAIL"), qs(v.name))
                        .arg(v.measured)
                        .arg(qs(v.expected));
                if (!v.detail.empty())
                    t.text += QStringLiteral(" — ") + qs(v.detail);
                t.bad = !v.passed;
            } else if constexpr (std::is_same_v<T, ev::log_message>) {
                t.category = EventCategory::Log;
                t.subject = qs(v.level);
                t.text = qs(v.text);
                t.bad = v.level == "error";
            }
        },
        e);
    return t;
}

QString shortLabel(const ev::event& e) {
    if (const auto* a = std::get_if<ev::action_applied>(&e))
        return qs(std::string(ev::to_string(a->kind))) + QStringLiteral(" ") + qs(a->target);
    if (const auto* f = std::get_if<ev::fault_changed>(&e))
        return (f->active ? qs(f->toxic) : QStringLiteral("clear")) + QStringLiteral(" ") +
               qs(f->link);
    if (const auto* h = std::get_if<ev::health_changed>(&e))
        return qs(h->backend) + QStringLiteral(" ") + qs(h->to);
    if (const auto* r = std::get_if<ev::assertion_result>(&e))
        return (r->passed ? QStringLiteral("PASS ") : QStringLiteral("FAIL ")) + qs(r->name);
    if (std::holds_alternative<ev::run_started>(e))
        return QStringLiteral("start");
    if (const auto* f = std::get_if<ev::run_finished>(&e))
        return qs(f->verdict);
    return describe(e).subject;
}

}  // namespace switchyard::gui
