#include "engine/faults/partition_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

partition_toxic::partition_toxic(const toxic_params& p) : toxic(p.direction) {
    (void)p;
}

connection_action partition_toxic::on_connection(bool live, mono_time now, fast_rng& rng) {
    (void)now, (void)rng;
    return {live ? connection_action::proceed : connection_action::hold, millis{0}};
}

chunk_action partition_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                       link_state& link, fast_rng& rng) {
    (void)dir, (void)bytes, (void)ready_at, (void)link, (void)rng;
    return {chunk_action::stall, {}};
}

}  // namespace switchyard::faults
