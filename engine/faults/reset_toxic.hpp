#pragma once
// The `reset` toxic. Aborts connections with a TCP RST after timeout_ms (0 = at once); live ones
// too.
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Aborts connections with a TCP RST (SO_LINGER 0), `timeout_ms` after accept or, for connections
/// already open when the toxic is set, after it is set. Data passes until then.
class reset_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit reset_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "reset"; }
    connection_action on_connection(bool live, mono_time now, fast_rng& rng) override;
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;

  private:
    millis timeout_;
};

}  // namespace switchyard::faults
