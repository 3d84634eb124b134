#include "engine/faults/bandwidth_toxic.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchyard::faults {

bandwidth_toxic::bandwidth_toxic(const toxic_params& p) : toxic(p.direction) {
    const double kbps = p.get("rate_kbps", 100);
    if (!(kbps > 0)) {
        throw std::invalid_argument("rate_kbps: must be > 0");
    }
    bytes_per_second_ = kbps * 1000.0;
}

chunk_action bandwidth_toxic::on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                       link_state& link, fast_rng& rng) {
    (void)dir, (void)rng;
    const mono_time start = std::max(ready_at, link.busy_until);
    const auto cost =
        micros{static_cast<std::int64_t>(static_cast<double>(bytes) * 1e6 / bytes_per_second_)};
    link.busy_until = start + cost;
    return {chunk_action::deliver, link.busy_until};
}

}  // namespace switchyard::faults
