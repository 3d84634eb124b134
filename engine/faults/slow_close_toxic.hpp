#pragma once
// The `slow_close` toxic. Delays passing a close (FIN) from one side to the other by delay_ms.
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Delays passing a close on: when one side shuts down, the other sees the FIN `delay_ms` later
/// (after all data), like a peer that lingers before closing.
class slow_close_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit slow_close_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "slow_close"; }
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;
    millis on_close(stream_dir dir, fast_rng& rng) override;

  private:
    millis delay_;
};

}  // namespace switchyard::faults
