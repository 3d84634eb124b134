#include "engine/faults/latency_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

latency_toxic::latency_toxic(const toxic_params& p) : toxic(p.direction) {
    latency_ = millis{static_cast<std::int64_t>(p.get("latency_ms", 100))};
    jitter_ = millis{static_cast<std::int64_t>(p.get("jitter_ms", 0))};
    if (latency_.count() < 0) {
        throw std::invalid_argument("latency_ms: must be >= 0");
    }
    if (jitter_.count() < 0) {
        throw std::invalid_argument("jitter_ms: must be >= 0");
    }
}

chunk_action latency_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                     link_state& link, fast_rng& rng) {
    (void)dir, (void)bytes, (void)link;
    auto delay = std::chrono::duration_cast<micros>(latency_);
    if (jitter_.count() > 0) {
        const auto spread = std::chrono::duration_cast<micros>(jitter_).count();
        const auto offset = static_cast<std::int64_t>(rng.below(2 * spread + 1)) - spread;
        delay = std::max(micros{0}, delay + micros{offset});
    }
    return {chunk_action::deliver, ready_at + delay};
}

}  // namespace switchyard::faults
