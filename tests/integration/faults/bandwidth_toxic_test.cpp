#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

using std::chrono::milliseconds;

TEST(bandwidth_toxic, paces_chunks_back_to_back_at_the_rate) {
    auto t = build("bandwidth", {{"rate_kbps", 10}});  // 10'000 bytes/s: 1000 bytes = 100 ms
    fast_rng rng(1);
    link_state link;
    const auto a = t->on_chunk(stream_dir::upstream, 1000, t0, link, rng);
    EXPECT_EQ(a.at, t0 + milliseconds(100));
    // Arrives while the wire is still busy: queues behind the first.
    const auto b = t->on_chunk(stream_dir::upstream, 500, t0 + milliseconds(10), link, rng);
    EXPECT_EQ(b.at, t0 + milliseconds(150));
    // Arrives after the wire went idle: starts at once.
    const auto c = t->on_chunk(stream_dir::upstream, 1000, t0 + milliseconds(1000), link, rng);
    EXPECT_EQ(c.at, t0 + milliseconds(1100));
}

TEST(bandwidth_toxic, rejects_a_zero_rate) {
    EXPECT_THROW(build("bandwidth", {{"rate_kbps", 0}}), std::invalid_argument);
}

}  // namespace
}  // namespace switchyard::faults::testing
