#pragma once
// The `partition` toxic. Cuts the link both ways: data stalls (delivered when cleared), new
// connections wait.
#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// A network partition: nothing crosses in either direction and nothing is closed. Data is held and
/// flows again when the toxic is cleared (as TCP retransmission would deliver it); new connections
/// are accepted but not forwarded upstream until then.
class partition_toxic final : public toxic {
  public:
    /// Reads its parameters from `p` (see the table); throws std::invalid_argument on bad values.
    explicit partition_toxic(const toxic_params& p);
    std::string_view type() const noexcept override { return "partition"; }
    connection_action on_connection(bool live, mono_time now, fast_rng& rng) override;
    chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at, link_state& link,
                          fast_rng& rng) override;
};

}  // namespace switchyard::faults
