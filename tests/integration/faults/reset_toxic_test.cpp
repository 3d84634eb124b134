#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

using std::chrono::milliseconds;

TEST(reset_toxic, resets_new_and_live_connections_after_the_timeout) {
    auto t = build("reset", {{"timeout_ms", 300}});
    fast_rng rng(1);
    link_state link;
    for (bool live : {false, true}) {
        const auto a = t->on_connection(live, t0, rng);
        EXPECT_EQ(a.kind, connection_action::reset);
        EXPECT_EQ(a.after, milliseconds(300));
    }
    // Until then, data passes untouched.
    const auto c = t->on_chunk(stream_dir::upstream, 10, t0, link, rng);
    EXPECT_EQ(c.kind, chunk_action::deliver);
    EXPECT_EQ(c.at, t0);
}

TEST(reset_toxic, defaults_to_an_immediate_reset) {
    auto t = build("reset", {});
    fast_rng rng(1);
    EXPECT_EQ(t->on_connection(false, t0, rng).after, milliseconds(0));
}

}  // namespace
}  // namespace switchyard::faults::testing
