#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

TEST(blackhole_toxic, new_connections_get_no_upstream_and_all_data_is_dropped) {
    auto t = build("blackhole", {});
    fast_rng rng(1);
    link_state link;
    EXPECT_EQ(t->on_connection(false, t0, rng).kind, connection_action::no_upstream);
    // A live connection stays open but goes silent.
    EXPECT_EQ(t->on_connection(true, t0, rng).kind, connection_action::proceed);
    EXPECT_EQ(t->on_chunk(stream_dir::upstream, 10, t0, link, rng).kind, chunk_action::drop);
    EXPECT_EQ(t->on_chunk(stream_dir::downstream, 10, t0, link, rng).kind, chunk_action::drop);
}

TEST(blackhole_toxic, takes_no_parameters) {
    EXPECT_THROW(build("blackhole", {{"timeout_ms", 1}}), std::invalid_argument);
}

}  // namespace
}  // namespace switchyard::faults::testing
