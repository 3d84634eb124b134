#pragma once
// What the ledger concluded about a run: the numbers every checker reads.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/verify/latency_histogram.hpp"

namespace switchyard::verify {

using micros = std::chrono::microseconds;

/// One relay loss (kill, drain, restart, removal) and how its clients came back.
struct failover_episode {
    std::string relay;
    std::string cause;  ///< "kill", "drain", "restart", ...
    micros at{};
    std::uint32_t affected = 0;  ///< clients connected to the relay at that moment
    /// Clients connected to any relay at that moment: against the plan's count it says whether
    /// a real fleet kept its connect ramp (sim-vs-real compares placements only if it did).
    std::uint32_t connected = 0;
    std::uint32_t recovered = 0;  ///< of those, reconnected and received a message since
    /// Of the recovered, clients whose resume on the new connection the history could not serve
    /// (they were told seqs were lost).
    std::uint32_t recovered_with_gap = 0;
    /// Longest time from `at` to a recovered client's first delivery on its new connection.
    micros worst{};
    std::uint32_t worst_client = 0;
    std::optional<std::uint32_t> unrecovered_example;  ///< a client that never came back
    /// Each recovered client's time from `at` to its first delivery on its new connection: how
    /// a reconnect storm spreads, not only its slowest client.
    latency_histogram recovery;
};

/// One run of seqs a client missed on a channel (first..last inclusive): what `lost` counts.
struct lost_range {
    std::uint32_t client = 0;
    std::string channel;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

struct ledger_summary {
    /// The lost_ranges list stops here (a broken run can miss millions): `lost` still counts all.
    static constexpr std::size_t lost_ranges_max = 256;

    std::uint64_t clients = 0;  ///< distinct clients seen
    std::uint64_t publishes = 0;
    std::uint64_t acks = 0;
    std::uint64_t publish_errors = 0;  ///< publishes refused with an error frame

    std::uint64_t expected = 0;    ///< deliveries due: every seq in every client's window
    std::uint64_t received = 0;    ///< distinct seqs received inside the windows
    std::uint64_t deliveries = 0;  ///< every message frame, duplicates and replays included
    std::uint64_t replayed = 0;
    std::uint64_t lost = 0;  ///< expected - received
    std::uint64_t duplicates = 0;
    std::uint64_t order_violations = 0;
    std::uint64_t sticky_violations = 0;
    std::uint64_t silent_clients = 0;  ///< connected, channel had traffic, received nothing

    std::uint64_t connects = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t disconnects = 0;
    std::uint64_t resume_gaps = 0;
    std::uint64_t placements_fresh = 0;
    std::uint64_t placements_sticky = 0;
    std::uint64_t placements_failover = 0;

    double delivery_ratio = 1.0;  ///< received / expected (1 when nothing was due)
    latency_histogram latency;    ///< live deliveries (replays excluded: they measure outages)

    std::vector<failover_episode> failovers;
    /// Longest time between two consecutive deliveries anywhere in the run (an outage every
    /// client felt, e.g. the bus down), from the first delivery on.
    micros longest_silence{};

    /// One concrete case per kind of failure, in words, for the report ("client 4 on global:
    /// missing seq 31..33").
    std::string lost_example;
    /// Every missing run of seqs, by client then channel order, at most lost_ranges_max: which
    /// messages were lost and whether all clients missed the same ones (the bus never carried
    /// them) or one relay's clients did (that relay dropped them).
    std::vector<lost_range> lost_ranges;
    std::string duplicate_example;
    std::string order_example;
    std::string sticky_example;
    std::string connect_failure_example;
};

}  // namespace switchyard::verify
