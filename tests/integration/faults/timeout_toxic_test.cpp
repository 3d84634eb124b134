#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

using std::chrono::milliseconds;

TEST(timeout_toxic, drops_data_and_closes_after_the_timeout) {
    auto t = build("timeout", {{"timeout_ms", 200}});
    fast_rng rng(1);
    link_state link;
    const auto a = t->on_connection(true, t0, rng);
    EXPECT_EQ(a.kind, connection_action::close_after);
    EXPECT_EQ(a.after, milliseconds(200));
    EXPECT_EQ(t->on_chunk(stream_dir::downstream, 10, t0, link, rng).kind, chunk_action::drop);
}

TEST(timeout_toxic, zero_means_silent_forever) {
    auto t = build("timeout", {});
    fast_rng rng(1);
    EXPECT_EQ(t->on_connection(false, t0, rng).kind, connection_action::proceed);
}

}  // namespace
}  // namespace switchyard::faults::testing
