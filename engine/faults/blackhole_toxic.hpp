#pragma once
// The `blackhole` toxic. Accepts and reads but never answers: new connections get no upstream, all
// data is dropped.
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Accepts, reads and never answers: a new connection is never forwarded upstream and every chunk
/// is dropped, so a live connection goes silent in both directions without being closed.
class blackhole_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit blackhole_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "blackhole"; }
    connection_action on_connection(bool live, mono_time now, fast_rng& rng) override;
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;
};

}  // namespace switchyard::faults
