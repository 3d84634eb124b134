// The fleet reads the carried fields (id, publisher, send time) from the `data` of every
// message a relay delivers, and any client of the relay can publish any JSON there.
// Input: a `data` value as JSON text, or (first byte odd) the parameters of one the fleet
// makes. Invariants: nothing throws; the fields the fleet writes read back exactly, at the
// padded size asked for; parse_carried_text agrees with parse_carried on the parsed value.
#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "engine/fleet/message_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace switchyard::fleet;
using switchyard::fuzz::fuzz_input;

namespace {

bool same(const std::optional<carried_fields>& a, const std::optional<carried_fields>& b) {
    if (a.has_value() != b.has_value())
        return false;
    return !a ||
           (a->msg_id == b->msg_id && a->publisher == b->publisher && a->sent_at == b->sent_at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_input in(data, size);
    if (in.byte() & 1) {
        std::uint32_t publisher = 0;
        std::uint64_t n = 0;
        std::int64_t t = 0;
        for (int i = 0; i < 4; ++i)
            publisher = (publisher << 8) | in.byte();
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | in.byte();
        for (int i = 0; i < 7; ++i)  // send times are microseconds since a run began: >= 0
            t = (t << 8) | in.byte();
        const auto message_bytes = static_cast<std::uint32_t>(in.below(4096));
        const std::string text = make_data(publisher, n, micros{t}, message_bytes);
        const auto got = parse_carried_text(text);
        FUZZ_CHECK(got.has_value());
        FUZZ_CHECK(got->msg_id == make_msg_id(publisher, n));
        FUZZ_CHECK(got->publisher == publisher);
        FUZZ_CHECK(got->sent_at == micros{t});
        const std::size_t unpadded = make_data(publisher, n, micros{t}, 0).size();
        FUZZ_CHECK(text.size() == std::max<std::size_t>(unpadded, message_bytes));
        return 0;
    }
    const std::string_view text = in.rest();
    const auto got = parse_carried_text(text);
    boost::system::error_code ec;
    const auto v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
    FUZZ_CHECK(ec ? !got.has_value() : same(got, parse_carried(v)));
    return 0;
}
