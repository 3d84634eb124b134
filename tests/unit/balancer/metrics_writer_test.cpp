// The shared Prometheus text writer (backends/net): escaping per the exposition
// format, the HELP/TYPE lines, and counters named _total.
#include "backends/net/metrics_writer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>

using namespace switchyard::net;

TEST(MetricsWriter, LabelValuesEscapeBackslashQuoteAndNewlineOnly) {
    struct row {
        std::string_view in, out;
    };
    const row rows[] = {
        {"plain-id_1", "plain-id_1"},
        {"a\"b", "a\\\"b"},
        {"a\\b", "a\\\\b"},
        {"a\nb", "a\\nb"},
        {"\\\"\n", "\\\\\\\"\\n"},
        {"tab\there", "tab\there"},  // only the three the format names
        {"", ""},
    };
    for (const auto& r : rows)
        EXPECT_EQ(escape_label_value(r.in), r.out) << r.in;
}

TEST(MetricsWriter, HelpEscapesBackslashAndNewlineButNotQuotes) {
    EXPECT_EQ(escape_help("say \"hi\""), "say \"hi\"");
    EXPECT_EQ(escape_help("a\\b\nc"), "a\\\\b\\nc");
}

TEST(MetricsWriter, FamiliesAndSamplesInTheExpositionFormat) {
    metrics_writer w({{"relay", "r\"1"}});
    w.counter("x_total", "things\ncounted", std::uint64_t{42});
    w.gauge("up", "1 when up", true);
    w.family("per_backend_total", "counter", "per backend");
    w.sample("per_backend_total", {{"backend", "b1"}, {"state", "up"}}, 7);
    EXPECT_EQ(w.text(),
              "# HELP x_total things\\ncounted\n"
              "# TYPE x_total counter\n"
              "x_total{relay=\"r\\\"1\"} 42\n"
              "# HELP up 1 when up\n"
              "# TYPE up gauge\n"
              "up{relay=\"r\\\"1\"} 1\n"
              "# HELP per_backend_total per backend\n"
              "# TYPE per_backend_total counter\n"
              "per_backend_total{relay=\"r\\\"1\",backend=\"b1\",state=\"up\"} 7\n");
}

TEST(MetricsWriter, NoLabelsMeansNoBraces) {
    metrics_writer w;
    w.gauge("g", "h", -3);
    EXPECT_EQ(w.take(), "# HELP g h\n# TYPE g gauge\ng -3\n");
}

TEST(MetricsWriter, ACounterNotNamedTotalIsRefused) {
    metrics_writer w;
    EXPECT_THROW(w.counter("requests", "h", 1), std::invalid_argument);
    EXPECT_THROW(w.family("total", "counter", "h"), std::invalid_argument);
    EXPECT_NO_THROW(w.family("requests", "gauge", "h")) << "only counters need _total";
}
