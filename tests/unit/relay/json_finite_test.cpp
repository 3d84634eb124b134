// json_numbers_finite: the relay's check that a client's frame can be written back as JSON.
#include "backends/relay/json_finite.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using switchyard::relay::json_numbers_finite;
namespace json = boost::json;

namespace {
/// Whether the text's parsed value serializes to text that parses again.
bool round_trips(const json::value& v) {
    json::error_code ec;
    json::parse(json::serialize(v), ec);
    return !ec;
}
}  // namespace

TEST(JsonFinite, OutOfRangeNumbersAnywhereAreCaughtAndExactlyThoseFailToRoundTrip) {
    // The relay_message fuzz finding: this data, published by a client, became `Infinity`.
    const std::string finding =
        "55555555555555555555555555555555555555555555155515555555555555550000000000193298"
        "8194e35555515";
    for (const std::string& text :
         {finding, std::string("-4e35555515"), std::string("1e400"),
          std::string("[1,{\"a\":[2,-1e999]}]"), std::string("{\"x\":{\"y\":1e309}}")}) {
        const auto v = json::parse(text);
        EXPECT_FALSE(json_numbers_finite(v)) << text;
        EXPECT_FALSE(round_trips(v)) << text << " (the check would be needless)";
    }
    for (const std::string& text :
         {std::string("1e-400"), std::string("1.7976931348623157e308"),
          std::string("123456789012345678901234567890"), std::string("-9223372036854775808"),
          std::string("18446744073709551615"), std::string("[\"1e400\",null,true,{}]"),
          std::string("{\"a\":[[[0.5]]]}")}) {
        const auto v = json::parse(text);
        EXPECT_TRUE(json_numbers_finite(v)) << text;
        EXPECT_TRUE(round_trips(v)) << text;
    }
}
