#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

using std::chrono::milliseconds;

TEST(latency_toxic, delays_each_chunk_by_exactly_latency_without_jitter) {
    auto t = build("latency", {{"latency_ms", 250}});
    fast_rng rng(1);
    link_state link;
    const auto a = t->on_chunk(stream_dir::upstream, 100, t0, link, rng);
    EXPECT_EQ(a.kind, chunk_action::deliver);
    EXPECT_EQ(a.at, t0 + milliseconds(250));
}

TEST(latency_toxic, jitter_stays_within_bounds_and_varies) {
    const std::uint64_t seed = 42;
    auto t = build("latency", {{"latency_ms", 100}, {"jitter_ms", 20}});
    fast_rng rng(seed);
    link_state link;
    auto lo = milliseconds::max();
    auto hi = milliseconds::min();
    for (int i = 0; i < 2000; ++i) {
        const auto a = t->on_chunk(stream_dir::downstream, 10, t0, link, rng);
        const auto d = std::chrono::duration_cast<milliseconds>(a.at - t0);
        ASSERT_GE(d, milliseconds(80)) << "seed " << seed;
        ASSERT_LE(d, milliseconds(120)) << "seed " << seed;
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(lo, milliseconds(85));
    EXPECT_GT(hi, milliseconds(115));
}

TEST(latency_toxic, rejects_negative_values_and_unknown_keys) {
    EXPECT_THROW(build("latency", {{"latency_ms", -1}}), std::invalid_argument);
    try {
        build("latency", {{"latncy_ms", 5}});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "latency: unknown parameter 'latncy_ms'; known: latency_ms, jitter_ms");
    }
}

}  // namespace
}  // namespace switchyard::faults::testing
