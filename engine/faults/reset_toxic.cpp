#include "engine/faults/reset_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

reset_toxic::reset_toxic(const toxic_params& p) : toxic(p.direction) {
    timeout_ = millis{static_cast<std::int64_t>(p.get("timeout_ms", 0))};
    if (timeout_.count() < 0) {
        throw std::invalid_argument("timeout_ms: must be >= 0");
    }
}

connection_action reset_toxic::on_connection(bool live, mono_time now, fast_rng& rng) {
    (void)live, (void)now, (void)rng;
    return {connection_action::reset, timeout_};
}

chunk_action reset_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                   link_state& link, fast_rng& rng) {
    (void)dir, (void)bytes, (void)link, (void)rng;
    return {chunk_action::deliver, ready_at};
}

}  // namespace switchyard::faults
