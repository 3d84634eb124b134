#include "engine/faults/timeout_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

timeout_toxic::timeout_toxic(const toxic_params& p) : toxic(p.direction) {
    timeout_ = millis{static_cast<std::int64_t>(p.get("timeout_ms", 0))};
    if (timeout_.count() < 0) {
        throw std::invalid_argument("timeout_ms: must be >= 0");
    }
}

connection_action timeout_toxic::on_connection(bool live, mono_time now, fast_rng& rng) {
    (void)live, (void)now, (void)rng;
    if (timeout_.count() == 0) {
        return {};
    }
    return {connection_action::close_after, timeout_};
}

chunk_action timeout_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                     link_state& link, fast_rng& rng) {
    (void)dir, (void)bytes, (void)ready_at, (void)link, (void)rng;
    return {chunk_action::drop, {}};
}

}  // namespace switchyard::faults
