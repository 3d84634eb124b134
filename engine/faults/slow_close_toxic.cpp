#include "engine/faults/slow_close_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

slow_close_toxic::slow_close_toxic(const toxic_params& p) : toxic(p.direction) {
    delay_ = millis{static_cast<std::int64_t>(p.get("delay_ms", 1000))};
    if (delay_.count() < 0) {
        throw std::invalid_argument("delay_ms: must be >= 0");
    }
}

chunk_action slow_close_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                        link_state& link, fast_rng& rng) {
    (void)dir, (void)bytes, (void)link, (void)rng;
    return {chunk_action::deliver, ready_at};
}

millis slow_close_toxic::on_close(stream_dir dir, fast_rng& rng) {
    (void)dir, (void)rng;
    return delay_;
}

}  // namespace switchyard::faults
