#include "tests/integration/faults/toxic_test_util.hpp"

namespace switchyard::faults::testing {
namespace {

TEST(toxic_table, names_every_toxic_in_order) {
    EXPECT_EQ(known_toxics(),
              "latency, bandwidth, blackhole, reset, timeout, partition, slow_close");
    for (const auto& row : toxic_table()) {
        EXPECT_FALSE(row.doc.empty()) << row.name;
        auto t = row.factory({});
        EXPECT_EQ(t->type(), row.name);
    }
}

TEST(toxic_table, unknown_names_list_the_known_ones) {
    EXPECT_EQ(unknown_toxic_message("latncy"),
              "unknown toxic 'latncy'; known: latency, bandwidth, blackhole, reset, timeout, "
              "partition, slow_close");
    EXPECT_EQ(find_toxic("latncy"), nullptr);
    EXPECT_THROW(make_toxic("latncy", {}), std::invalid_argument);
    EXPECT_EQ(validate_toxic("latncy", {}), unknown_toxic_message("latncy"));
    EXPECT_EQ(validate_toxic("latency", {}), "");
    EXPECT_EQ(validate_toxic("latency", {toxic_direction::both, {{"jitter_ms", -3}}}),
              "latency: jitter_ms: must be >= 0");
}

TEST(toxic_table, directions_parse_and_apply) {
    toxic_direction d{};
    ASSERT_TRUE(toxic_direction_from_string("downstream", d));
    EXPECT_EQ(d, toxic_direction::downstream);
    EXPECT_FALSE(toxic_direction_from_string("sideways", d));
    EXPECT_TRUE(applies(toxic_direction::both, stream_dir::upstream));
    EXPECT_TRUE(applies(toxic_direction::upstream, stream_dir::upstream));
    EXPECT_FALSE(applies(toxic_direction::upstream, stream_dir::downstream));
    EXPECT_FALSE(applies(toxic_direction::downstream, stream_dir::upstream));
}

}  // namespace
}  // namespace switchyard::faults::testing
