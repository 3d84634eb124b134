#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "engine/events/ndjson.hpp"
#include "engine/report/console_report.hpp"
#include "engine/report/file_reports.hpp"

using namespace switchyard;
using namespace switchyard::report;
using namespace std::chrono_literals;

namespace {
run_result sample() {
    run_result r;
    r.scenario = "failover-kill";
    r.file = "scenarios/ci/failover-kill.yaml";
    r.seed = 42;
    r.verdict = "failed";
    r.exit_code = 1;
    r.elapsed = 15s;
    r.summary.deliveries = 900;
    r.summary.lost = 3;
    r.summary.latency.record(1500us);
    r.assertions = {
        {15s, "lost", false, 3, "<= 0", "client 4 on global: missing seq 31..33"},
        {15s, "duplicates", true, 0, "<= 0", ""},
        {15s, "failover_ms", false, std::numeric_limits<double>::infinity(), "<= 1000",
         "relay-1 kill: 9/10 clients back <&>"},
    };
    return r;
}
std::filesystem::path tmp(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("sy-report-" + std::to_string(::getpid()) + "-" + name);
}
}  // namespace

TEST(JunitReport, OneTestcasePerAssertionWithMeasuredVsExpected) {
    const auto x = to_junit(sample());
    EXPECT_NE(x.find("tests=\"3\" failures=\"2\" errors=\"0\""), std::string::npos) << x;
    EXPECT_NE(x.find("<testcase classname=\"failover-kill\" name=\"duplicates\"/>"),
              std::string::npos);
    EXPECT_NE(x.find("<failure message=\"measured 3, expected &lt;= 0\">"), std::string::npos) << x;
    EXPECT_NE(x.find("missing seq 31..33"), std::string::npos);
    EXPECT_NE(x.find("measured inf"), std::string::npos);
    EXPECT_NE(x.find("&lt;&amp;&gt;"), std::string::npos);
    EXPECT_EQ(x.find("<&>"), std::string::npos);
}

TEST(JunitReport, ErrorRunIsAnErroredTestcase) {
    auto r = sample();
    r.verdict = "error";
    r.error = "relay-1 did not print READY";
    r.assertions.clear();
    const auto x = to_junit(r);
    EXPECT_NE(x.find("errors=\"1\""), std::string::npos);
    EXPECT_NE(x.find("name=\"run\"><error message=\"error: relay-1 did not print READY\""),
              std::string::npos)
        << x;
}

TEST(JsonReport, IsValidJsonWithVerdictAndAssertions) {
    const auto text = to_json(sample());
    const auto v = boost::json::parse(text);
    EXPECT_EQ(v.at("verdict").as_string(), "failed");
    EXPECT_EQ(v.at("exit_code").as_int64(), 1);
    EXPECT_EQ(v.at("assertions").as_array().size(), 3u);
    EXPECT_EQ(v.at("assertions").at(2).at("measured").as_string(), "inf");
    EXPECT_EQ(v.at("totals").at("lost").to_number<int>(), 3);
    EXPECT_EQ(v.at("totals").at("latency_us").at("max").as_int64(), 1500);
}

TEST(ConsoleReport, TableShowsEveryAssertionAndVerdict) {
    std::ostringstream out;
    write_console_summary(out, sample());
    const auto s = out.str();
    EXPECT_NE(s.find("ASSERTION"), std::string::npos);
    EXPECT_NE(s.find("failover_ms"), std::string::npos);
    EXPECT_NE(s.find("FAIL  client 4 on global"), std::string::npos) << s;
    EXPECT_NE(s.find("FAILED  1/3 assertions held"), std::string::npos) << s;
    EXPECT_NE(s.find("switchyard run: "), std::string::npos) << s;
    auto simulated = sample();
    simulated.command = "sim";  // the title says which world ran it
    std::ostringstream sim_out;
    write_console_summary(sim_out, simulated);
    EXPECT_NE(sim_out.str().find("switchyard sim: "), std::string::npos) << sim_out.str();
}

TEST(NdjsonWriter, WritesAReplayableLog) {
    const auto path = tmp("events.ndjson");
    events::event_stream stream;
    {
        ndjson_writer w(stream, path);
        stream.publish(events::log_message{1us, "info", "one"});
        stream.publish(events::health_changed{2us, "relay-1", "up", "down"});
    }
    stream.publish(events::log_message{3us, "info", "after close"});
    std::ifstream in(path);
    const auto back = events::read_ndjson(in);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(std::get<events::health_changed>(back[1]).to, "down");
    std::filesystem::remove(path);
}

TEST(ConsoleProgress, PrintsNotableEventsToAPlainFile) {
    const auto path = tmp("progress.txt");
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    {
        events::event_stream stream;
        console_progress p(stream, f, false);
        stream.publish(events::component_changed{1s, "relay-1", "relay", "killed", 1, 0, 0});
        for (int i = 0; i < console_progress::plain_progress_every; ++i)
            stream.publish(events::metrics{});
    }
    std::fclose(f);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("[1.0s] relay-1 killed"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("clients 0"), std::string::npos) << text.str();
    std::filesystem::remove(path);
}

TEST(Reports, NotesAppearUnderTheTableAndInTheJson) {
    auto r = sample();
    r.notes.push_back("balancer health is not read: nginx OSS has no per-backend status API");
    std::ostringstream out;
    write_console_summary(out, r);
    EXPECT_NE(out.str().find("  note      balancer health is not read: nginx"), std::string::npos)
        << out.str();
    const auto doc = boost::json::parse(to_json(r)).as_object();
    ASSERT_TRUE(doc.contains("notes"));
    ASSERT_EQ(doc.at("notes").as_array().size(), 1u);
    EXPECT_EQ(doc.at("notes").as_array()[0].as_string(), r.notes[0]);
    // No notes: an empty list, so readers need no special case.
    EXPECT_TRUE(boost::json::parse(to_json(sample())).as_object().at("notes").as_array().empty());
}
