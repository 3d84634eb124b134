#pragma once
// The `latency` toxic. Delays every chunk by latency_ms, plus or minus a uniform jitter_ms (order
// kept).
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Models a long or congested path: each chunk leaves `latency_ms` (plus or minus a uniform
/// `jitter_ms`) after it arrived. Chunks never overtake each other (the proxy keeps order), as on
/// one TCP stream.
class latency_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit latency_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "latency"; }
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;

  private:
    millis latency_;
    millis jitter_;
};

}  // namespace switchyard::faults
