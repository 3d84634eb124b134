#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

using std::chrono::milliseconds;

TEST(slow_close_toxic, delays_the_close_but_not_the_data) {
    auto t = build("slow_close", {{"delay_ms", 400}});
    fast_rng rng(1);
    link_state link;
    EXPECT_EQ(t->on_close(stream_dir::upstream, rng), milliseconds(400));
    const auto c = t->on_chunk(stream_dir::upstream, 10, t0, link, rng);
    EXPECT_EQ(c.kind, chunk_action::deliver);
    EXPECT_EQ(c.at, t0);
}

}  // namespace
}  // namespace switchyard::faults::testing
