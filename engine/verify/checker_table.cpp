#include "engine/verify/checker_table.hpp"

#include <array>

#include "engine/verify/connection_checkers.hpp"
#include "engine/verify/delivery_checkers.hpp"
#include "engine/verify/latency_checkers.hpp"

namespace switchyard::verify {
namespace {

constexpr std::array<checker_info, 22> rows{{
    {"delivery_ratio", make_delivery_ratio_checker,
     "distinct due messages received / due (a client is due every seq from its first one on)",
     bare_bound::min},
    {"lost", make_lost_checker, "due messages never received (gaps in a client's seqs)",
     bare_bound::max},
    {"duplicates", make_duplicates_checker, "messages a client received twice", bare_bound::max},
    {"order_violations", make_order_checker,
     "messages received out of sequence, or a publisher's messages sequenced out of send order",
     bare_bound::max},
    {"deliveries", make_deliveries_checker, "message frames received in all (volume check)",
     bare_bound::min},
    {"silent_clients", make_silent_clients_checker,
     "clients connected at the end that received nothing while others did", bare_bound::max},
    {"longest_silence_ms", make_longest_silence_checker,
     "longest time with no delivery to any client (a cluster-wide outage), ms", bare_bound::max},
    {"failover_ms", make_failover_checker,
     "relay kill/stop/drain (or a cut link) to every affected client reconnected and receiving, "
     "worst case (inf if one never came back)",
     bare_bound::max},
    {"recovery_p50_ms", [] { return make_recovery_quantile_checker(0.50); },
     "median time from a relay loss to an affected client receiving again on its new connection, "
     "ms (all episodes)",
     bare_bound::max},
    {"recovery_p99_ms", [] { return make_recovery_quantile_checker(0.99); },
     "99th percentile of that time, ms: how a reconnect storm spreads", bare_bound::max},
    {"resumed_without_gap_ratio", make_resumed_without_gap_checker,
     "share of clients moved by a failover whose resume the history served without a gap",
     bare_bound::min},
    {"replayed", make_replayed_checker, "messages replayed from history on resume",
     bare_bound::max},
    {"sticky_violations", make_sticky_checker,
     "requests of one session reaching a second relay while its own was up", bare_bound::max},
    {"latency_p50_ms", make_latency_p50_checker, "median live delivery latency, ms",
     bare_bound::max},
    {"latency_p99_ms", make_latency_p99_checker, "99th percentile live delivery latency, ms",
     bare_bound::max},
    {"latency_max_ms", make_latency_max_checker, "worst live delivery latency, ms",
     bare_bound::max},
    {"errors", make_errors_checker, "failed connects + refused publishes + resume gaps",
     bare_bound::max},
    {"connect_failures", make_connect_failures_checker,
     "connect attempts a client saw fail (HTTP 502, refused, timeout)", bare_bound::max},
    {"publish_errors", make_publish_errors_checker, "publishes refused with an error frame",
     bare_bound::max},
    {"reconnects", make_reconnects_checker, "successful connects that were not a client's first",
     bare_bound::max},
    {"disconnects", make_disconnects_checker, "established connections lost", bare_bound::max},
    {"resume_gaps", make_resume_gaps_checker, "resumes the relay's history could not serve",
     bare_bound::max},
}};

}  // namespace

std::span<const checker_info> checker_table() noexcept {
    return rows;
}

const checker_info* find_checker(std::string_view name) noexcept {
    for (const auto& r : rows)
        if (r.name == name)
            return &r;
    return nullptr;
}

std::string known_checkers() {
    std::string out;
    for (const auto& r : rows) {
        if (!out.empty())
            out += ", ";
        out += r.name;
    }
    return out;
}

events::assertion_result evaluate(const expectation& e, const ledger_summary& s, micros at) {
    events::assertion_result r;
    r.at = at;
    r.name = e.name;
    r.expected = e.text();
    const auto* row = find_checker(e.name);
    if (!row) {
        r.passed = false;
        r.detail = "unknown checker";
        return r;
    }
    const auto m = row->factory()->measure(s);
    r.measured = m.value;
    r.passed = e.holds(m.value);
    r.detail = m.detail;
    return r;
}

}  // namespace switchyard::verify
