// The balancer reads the affinity cookie from every request: arbitrary bytes from the client.
// Invariants: decode never accepts a value it did not sign (any changed byte of a signed cookie
// is refused), an accepted id is a valid id, every refusal says why, and what encode writes
// decodes back to the same id until max_age has passed.
#include <chrono>
#include <cstdint>
#include <string>

#include "backends/policy/sticky_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using switchyard::fuzz::fuzz_input;
using switchyard::policy::sticky_codec;
using switchyard::policy::sticky_reject;

namespace {

sticky_codec::wall_time at(std::uint64_t seconds) {
    return sticky_codec::wall_time{std::chrono::seconds{static_cast<std::int64_t>(seconds)}};
}

// Wall times a balancer could see: around now, at the epoch, far ahead.
std::uint64_t pick_time(fuzz_input& in) {
    static constexpr std::uint64_t bases[] = {0, 1'800'000'000, 4'000'000'000};
    return bases[in.below(3)] + in.below(65536);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_input in(data, size);
    const auto max_age = std::chrono::seconds{in.below(4) == 0 ? 0 : in.below(4096)};
    const sticky_codec codec("fuzz-secret", max_age);
    const std::uint64_t now = pick_time(in);

    if (in.byte() & 1) {
        // A cookie value as a client would send it.
        const std::string_view value = in.rest();
        sticky_reject why = sticky_reject::none;
        const auto id = codec.decode(value, at(now), &why);
        FUZZ_CHECK(id.has_value() == (why == sticky_reject::none));
        if (id)
            FUZZ_CHECK(sticky_codec::valid_id(*id));
        return 0;
    }

    // A cookie this balancer signed, maybe with one byte changed.
    const std::string id(in.bytes(80));
    if (!sticky_codec::valid_id(id))
        return 0;
    const std::uint64_t issued = pick_time(in);
    std::string cookie = codec.encode(id, at(issued));
    const std::string original = cookie;
    if (in.byte() & 1) {
        const std::size_t pos = in.below(cookie.size());
        cookie[pos] = static_cast<char>(in.byte());
    }
    sticky_reject why = sticky_reject::none;
    const auto got = codec.decode(cookie, at(now), &why);
    if (cookie != original) {
        FUZZ_CHECK(!got);
        FUZZ_CHECK(why != sticky_reject::none);
        return 0;
    }
    const bool expired =
        max_age.count() > 0 && now > issued + static_cast<std::uint64_t>(max_age.count());
    FUZZ_CHECK(got.has_value() == !expired);
    if (got)
        FUZZ_CHECK(*got == id);
    else
        FUZZ_CHECK(why == sticky_reject::expired);
    return 0;
}
