#include "engine/sim/sim_link.hpp"

#include <algorithm>

#include "engine/faults/toxic_table.hpp"

namespace switchyard::sim {

faults::connection_action stronger(faults::connection_action a, faults::connection_action b) {
    if (a.kind != b.kind)
        return a.kind > b.kind ? a : b;
    return a.after <= b.after ? a : b;
}

sim_link::sim_link(std::string name, link_profile base, policy::fast_rng rng)
    : name_(std::move(name)), base_(base), rng_(rng) {}

faults::connection_action sim_link::set_fault(std::string_view toxic,
                                              const faults::toxic_params& params, micros now) {
    auto t = faults::make_toxic(toxic, params);  // throws with the proxy's own messages
    const auto live = t->on_connection(true, to_mono(now), rng_);
    toxics_.push_back(std::move(t));
    ++version_;
    return live;
}

void sim_link::clear_faults() {
    toxics_.clear();
    ++version_;
}

faults::connection_action sim_link::on_connect(micros now) {
    faults::connection_action action;
    for (auto& t : toxics_)
        action = stronger(action, t->on_connection(false, to_mono(now), rng_));
    return action;
}

transit sim_link::send(faults::stream_dir dir, std::size_t bytes, micros now, flow_state& flow) {
    faults::mono_time at = to_mono(now);
    for (auto& t : toxics_) {
        if (!faults::applies(t->direction(), dir))
            continue;
        const auto a = t->on_chunk(dir, bytes, at, flow.wire, rng_);
        if (a.kind == faults::chunk_action::drop)
            return {transit::drop, now};
        if (a.kind == faults::chunk_action::stall)
            return {transit::stall, now};
        at = std::max(at, a.at);
    }
    micros arrive = base_delay(bytes, from_mono(at), flow);
    arrive = std::max(arrive, flow.last_at);  // TCP keeps order within a flow
    flow.last_at = arrive;
    return {transit::deliver, arrive};
}

micros sim_link::base_delay(std::size_t bytes, micros ready, flow_state& flow) {
    micros leave = ready;
    if (base_.bandwidth_kbps > 0) {
        // Serialisation on a shared wire: a chunk starts when the previous one finished.
        const auto start = std::max(ready, from_mono(flow.wire.busy_until));
        const auto cost = micros{
            static_cast<std::int64_t>(static_cast<double>(bytes) * 1000.0 / base_.bandwidth_kbps)};
        leave = start + cost;
        flow.wire.busy_until = to_mono(leave);
    }
    micros delay = base_.latency;
    if (base_.jitter.count() > 0) {
        const auto spread = base_.jitter.count();
        const auto offset = static_cast<std::int64_t>(rng_.below(2 * spread + 1)) - spread;
        delay = std::max(micros{0}, delay + micros{offset});
    }
    if (base_.loss > 0) {
        // 2^53 steps give a uniform double in [0, 1) from one draw.
        for (std::uint32_t i = 0; i < base_.retransmits_max; ++i) {
            const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
            if (u >= base_.loss)
                break;
            delay += base_.rto;
        }
    }
    return leave + delay;
}

micros sim_link::close_delay(faults::stream_dir dir, micros now) {
    (void)now;
    micros delay{0};
    for (auto& t : toxics_)
        if (faults::applies(t->direction(), dir))
            delay = std::max<micros>(delay, t->on_close(dir, rng_));
    return delay + base_.latency;
}

}  // namespace switchyard::sim
