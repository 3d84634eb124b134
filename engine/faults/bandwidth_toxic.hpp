#pragma once
// The `bandwidth` toxic. Caps throughput at rate_kbps kilobytes per second in each direction it
// applies to.
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Caps throughput like a slow wire: a chunk leaves when the previous one has finished "sending"
/// plus bytes / rate. Backpressure follows because the proxy stops reading once its queue is full.
class bandwidth_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit bandwidth_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "bandwidth"; }
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;

  private:
    double bytes_per_second_;
};

}  // namespace switchyard::faults
