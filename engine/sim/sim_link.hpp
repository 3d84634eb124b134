#pragma once
// A simulated network link: a base profile (latency distribution, jitter, loss, bandwidth) plus
// the very toxics the fault proxy applies for real (engine/faults), so a scenario's fault
// timeline means the same in both worlds.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/fast_rng.hpp"
#include "engine/faults/toxic.hpp"
#include "engine/sim/sim_kernel.hpp"

namespace switchyard::sim {

/// How a link behaves when no fault is set. One-way figures, per direction.
struct link_profile {
    micros latency{100};  ///< base one-way delay
    micros jitter{0};     ///< uniform +/- spread around `latency` (never below 0)
    /// Probability that a chunk's first transmission is lost. The links carry TCP, so a loss is
    /// never a missing message: it is a retransmission `rto` later (repeated while lost again).
    double loss = 0;
    micros rto{200'000};                 ///< retransmission delay per loss (Linux's minimum RTO)
    double bandwidth_kbps = 0;           ///< kilobytes (1000 bytes) per second; 0 = unlimited
    std::uint32_t retransmits_max = 15;  ///< losses in a row before the chunk goes through anyway
};

/// Per-direction state of one flow over a link (a connection, or a group of connections that
/// share the link model, e.g. every client of one relay). The caller owns it.
struct flow_state {
    faults::link_state wire;  ///< bandwidth pacing: the wire is busy until then
    micros last_at{0};        ///< arrival of the previous chunk: later chunks never overtake it
};

/// What became of one chunk sent over the link.
struct transit {
    enum kind_t : std::uint8_t {
        deliver,  ///< arrives at `at`
        drop,     ///< gone (blackhole, timeout)
        stall,    ///< held until the link's faults change (partition): send it again then
    };
    kind_t kind = deliver;
    micros at{0};
};

/// One link ("client-balancer", "balancer-relay-3", "relay-3-redis").
///
/// Contract: single-threaded; all randomness from the link's own generator; `now` is the only
/// clock. Toxics run in the order they were set, then the base profile; the strongest
/// connection action wins (reset > close_after > no_upstream > hold > proceed), as in the proxy.
class sim_link {
  public:
    sim_link(std::string name, link_profile base, policy::fast_rng rng);

    const std::string& name() const noexcept { return name_; }
    const link_profile& profile() const noexcept { return base_; }
    void set_profile(const link_profile& p) { base_ = p; }

    /// Adds a toxic from the faults table (same names, parameters and errors as the proxy).
    /// Returns what it does to connections already open over the link.
    faults::connection_action set_fault(std::string_view toxic, const faults::toxic_params& params,
                                        micros now);
    /// Removes every toxic (clear_fault).
    void clear_faults();
    bool faulted() const noexcept { return !toxics_.empty(); }
    /// Bumped on every set_fault / clear_faults, so holders of stalled chunks know to resend.
    std::uint64_t fault_version() const noexcept { return version_; }

    /// What happens to a connection opened over the link now.
    faults::connection_action on_connect(micros now);
    /// One chunk of `bytes` leaving at `now` in direction `dir`.
    transit send(faults::stream_dir dir, std::size_t bytes, micros now, flow_state& flow);
    /// How long a close takes to pass (slow_close), on top of the base latency.
    micros close_delay(faults::stream_dir dir, micros now);

  private:
    micros base_delay(std::size_t bytes, micros ready, flow_state& flow);

    std::string name_;
    link_profile base_;
    policy::fast_rng rng_;
    std::vector<std::unique_ptr<faults::toxic>> toxics_;
    std::uint64_t version_ = 0;
};

/// The stronger of two connection actions (reset > close_after > no_upstream > hold > proceed);
/// among equals the sooner one. The proxy's rule, repeated here because the proxy keeps it
/// private to its shell.
faults::connection_action stronger(faults::connection_action a, faults::connection_action b);

/// Virtual time as the toxics' clock type (they take steady_clock time points).
inline faults::mono_time to_mono(micros t) noexcept {
    return faults::mono_time{} + t;
}
inline micros from_mono(faults::mono_time t) noexcept {
    return std::chrono::duration_cast<micros>(t.time_since_epoch());
}

}  // namespace switchyard::sim
