#pragma once
// The native protocol frames a synthetic client sends, and the fields it carries inside every
// published message's `data` so a receiver can report who sent it and when.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "engine/fleet/client_observer.hpp"

namespace switchyard::fleet {

/// What a publisher puts in `data`: {"id":"<publisher>-<n>","p":<publisher>,"t":<micros>,
/// "pad":"xxx..."}; the padding makes the serialized data exactly `message_bytes` long (when
/// message_bytes is at least the unpadded size).
struct carried_fields {
    std::string msg_id;
    std::uint32_t publisher = 0;
    micros sent_at{0};
};

/// "<publisher>-<n>"
std::string make_msg_id(std::uint32_t publisher, std::uint64_t n);
/// The `data` object as JSON text, padded to `message_bytes`.
std::string make_data(std::uint32_t publisher, std::uint64_t n, micros sent_at,
                      std::uint32_t message_bytes);
/// {"type":"publish","channel":...,"id":...,"data":...}
std::string make_publish_frame(std::string_view channel, std::uint32_t publisher, std::uint64_t n,
                               micros sent_at, std::uint32_t message_bytes);
/// {"type":"subscribe","channels":[...],"resume":{...}} with resume entries only for seq > 0.
std::string make_subscribe_frame(const std::vector<std::string>& channels,
                                 const std::vector<std::uint64_t>& resume_from);
/// The carried fields from a message's `data` JSON text; nullopt when they are missing.
std::optional<carried_fields> parse_carried_text(std::string_view data_json);
/// The same from an already parsed `data` value.
std::optional<carried_fields> parse_carried(const boost::json::value& data);

}  // namespace switchyard::fleet
