#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

TEST(partition_toxic, stalls_both_directions_and_holds_new_connections) {
    auto t = build("partition", {});
    fast_rng rng(1);
    link_state link;
    EXPECT_EQ(t->on_connection(false, t0, rng).kind, connection_action::hold);
    EXPECT_EQ(t->on_connection(true, t0, rng).kind, connection_action::proceed);
    EXPECT_EQ(t->on_chunk(stream_dir::upstream, 10, t0, link, rng).kind, chunk_action::stall);
    EXPECT_EQ(t->on_chunk(stream_dir::downstream, 10, t0, link, rng).kind, chunk_action::stall);
    EXPECT_EQ(t->direction(), toxic_direction::both);
}

}  // namespace
}  // namespace switchyard::faults::testing
