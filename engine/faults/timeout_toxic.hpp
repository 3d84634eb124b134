#pragma once
// The `timeout` toxic. Drops all data and closes connections after timeout_ms (0 = never close,
// drop only).
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// Toxiproxy's timeout: stops all data and closes the connection `timeout_ms` later (gracefully,
/// with FIN). With 0 the connection stays open and silent until the toxic is removed.
class timeout_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit timeout_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "timeout"; }
    connection_action on_connection(bool live, mono_time now, fast_rng& rng) override;
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;

  private:
    millis timeout_;
};

}  // namespace switchyard::faults
