#pragma once
// A published message as the simulated bus and relays carry it: what the real relay keeps as
// pre-framed bytes is, here, the fields the ledger needs (publisher, number, send time).
#include <cstdint>

#include "backends/policy/hub.hpp"
#include "engine/sim/sim_kernel.hpp"

namespace switchyard::sim {

struct sim_message final : policy::hub_payload {
    sim_message(std::uint32_t publisher_, std::uint64_t number_, micros sent_at_,
                std::uint32_t channel_, std::uint32_t bytes_)
        : publisher(publisher_),
          number(number_),
          sent_at(sent_at_),
          channel(channel_),
          bytes(bytes_) {}
    std::uint32_t publisher;  ///< client index
    std::uint64_t number;     ///< the publisher's message number (msg_id "<publisher>-<n>")
    micros sent_at;
    std::uint32_t channel;  ///< index in the world's channel table
    std::uint32_t bytes;    ///< frame size on the wire
};

}  // namespace switchyard::sim
