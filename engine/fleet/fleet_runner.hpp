#pragma once
// Runs fleets of synthetic clients on real sockets: thousands of clients per thread, each an
// instance of the pure client_behaviour core driven by an Asio shell (native /ws over TCP or
// TLS, SockJS websocket, xhr-polling and xhr-streaming), each with its own cookie jar so the
// balancer's sticky cookie does real work.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fleet/client_observer.hpp"
#include "engine/fleet/fleet_config.hpp"

namespace switchyard::fleet {

/// Live numbers for one fleet (or the sum over all fleets). A snapshot; values only grow except
/// the three gauges (`clients_target`, `connected`, `connecting`).
struct fleet_counters {
    std::uint64_t clients_target = 0;    ///< gauge: clients that should exist (set_count)
    std::uint64_t connected = 0;         ///< gauge: hello received and subscribed, not yet lost
    std::uint64_t connecting = 0;        ///< gauge: attempts in flight (incl. backoff waits)
    std::uint64_t connects = 0;          ///< successful connects, first ones and reconnects
    std::uint64_t reconnects = 0;        ///< successful connects that were not a client's first
    std::uint64_t connect_failures = 0;  ///< attempts that failed (refused, HTTP error, timeout)
    std::uint64_t disconnects = 0;       ///< established connections lost or closed by the server
    std::uint64_t publishes = 0;         ///< publish frames sent
    std::uint64_t acks = 0;              ///< publishes acknowledged with a seq
    std::uint64_t publish_errors = 0;    ///< publishes refused by an `error` frame
    std::uint64_t deliveries = 0;        ///< `message` frames received (live and replayed)
    std::uint64_t replayed = 0;          ///< of those, replayed during resume
    std::uint64_t resume_gaps = 0;       ///< `resume_gap` frames received
    std::uint64_t bytes_in = 0;          ///< application payload bytes received (frames/bodies)
    std::uint64_t bytes_out = 0;         ///< application payload bytes sent
};

/// How the runner runs, apart from what the fleets do.
struct fleet_runner_options {
    std::uint64_t seed = 1;  ///< every random choice (jitter, session ids) derives from it
    unsigned threads = 1;    ///< io_context threads; clients are spread round-robin over them
    /// The run's clock origin: every `micros` reported to the observer, and every send timestamp
    /// carried in a message, is steady_clock::now() - epoch. The engine passes its own so events
    /// from the fleet, the cluster and the faults share one time line.
    std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();
    /// Graceful close budget in stop(): clients send a close frame, then sockets are cut.
    std::chrono::milliseconds stop_grace_ms{1000};
};

/// Owns the fleet threads and clients.
///
/// Client indices (the `client` in every observer record, and the publisher index carried in
/// messages) are dense and stable: the initial clients are numbered in fleet order (fleet 0 gets
/// 0..count0-1, fleet 1 the next ones, ...); clients added later by set_count get fresh indices
/// after every index used so far, never reused. A client's protocol id is "c-<index>" and its
/// msg_ids are "<index>-<n>" with n = 1, 2, ... per client.
///
/// Thread safety: start/stop/set_* may be called from any one controlling thread; counters()
/// from any thread. Observer calls come from the fleet threads.
class fleet_runner {
  public:
    /// Validates every config (throws std::invalid_argument naming fleet and field) but opens
    /// no socket until start().
    fleet_runner(std::vector<fleet_config> fleets, client_observer& observer,
                 fleet_runner_options options);
    /// Calls stop().
    ~fleet_runner();
    fleet_runner(const fleet_runner&) = delete;
    fleet_runner& operator=(const fleet_runner&) = delete;

    /// Starts the threads and begins every fleet's connect ramp (ramps start now).
    void start();
    /// Closes every client (close frame, bounded by stop_grace_ms) and joins the threads.
    /// Idempotent. Reports a disconnect for each connected client (reason "stopped").
    void stop();

    /// Changes the per-client publish rate of one fleet from now on; false for an unknown fleet.
    bool set_publish_rate(std::string_view fleet, double hz);
    /// Stops every publisher (rate 0 on all fleets), e.g. before the drain at the end of a run.
    void pause_publishing();
    /// Grows (new clients connect at once, no ramp) or shrinks (the highest indices close
    /// cleanly) one fleet; false for an unknown fleet.
    bool set_count(std::string_view fleet, std::uint32_t count);

    /// Totals over all fleets.
    fleet_counters counters() const;
    /// One fleet's numbers; all zero for an unknown name.
    fleet_counters counters(std::string_view fleet) const;

    const std::vector<fleet_config>& configs() const noexcept;
    /// Microseconds since the run's epoch on the steady clock (the fleet's `now`).
    micros now() const noexcept;

    struct impl;  ///< Asio shell, in fleet_runner.cpp

  private:
    std::unique_ptr<impl> impl_;
};

}  // namespace switchyard::fleet
