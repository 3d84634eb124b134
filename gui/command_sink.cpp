#include "gui/command_sink.hpp"

#include "gui/event_pump.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

std::string actionDetail(const HandAction& a) {
    switch (a.kind) {
        case ev::action_kind::fault: {
            std::string d = "toxic=" + a.toxic.toStdString();
            if (a.latencyMs > 0)
                d += " latency=" + std::to_string(a.latencyMs) + "ms";
            if (a.jitterMs > 0)
                d += " jitter=" + std::to_string(a.jitterMs) + "ms";
            return d;
        }
        case ev::action_kind::set_count:
            return "count=" + std::to_string(a.count);
        case ev::action_kind::set_rate: {
            std::string r = std::to_string(a.rate);
            r.erase(r.find_last_not_of('0') + 1);
            if (!r.empty() && r.back() == '.')
                r.pop_back();
            return "rate=" + r + "/s";
        }
        default:
            return {};
    }
}

ev::action_applied toEvent(const HandAction& a, ev::micros at, bool ok, std::string error) {
    ev::action_applied e;
    e.at = at;
    e.source = "hand";
    e.kind = a.kind;
    e.target = a.target.toStdString();
    e.detail = actionDetail(a);
    e.ok = ok;
    e.error = std::move(error);
    return e;
}

void OfflineCommandSink::submit(const HandAction& a) {
    pump_.push(toEvent(a, now_, false, "no live run (replay or idle): not applied"));
}

}  // namespace switchyard::gui
