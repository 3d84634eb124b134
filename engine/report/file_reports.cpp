#include "engine/report/file_reports.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/json.hpp>

#include "engine/events/ndjson.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::report {
namespace json = boost::json;
namespace {

json::value number(double v) {
    if (std::isinf(v))
        return json::value(v > 0 ? "inf" : "-inf");  // JSON has no infinity
    return json::value(v);
}

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // Control characters are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
                    out += ' ';
                else
                    out += c;
        }
    }
    return out;
}

}  // namespace

std::string to_json(const run_result& r) {
    const auto& s = r.summary;
    json::object o;
    o["scenario"] = r.scenario;
    o["file"] = r.file;
    o["run_dir"] = r.run_dir;
    o["seed"] = r.seed;
    o["verdict"] = r.verdict;
    o["exit_code"] = r.exit_code;
    o["error"] = r.error;
    o["elapsed_ms"] = r.elapsed.count() / 1000;
    json::object t;
    t["clients"] = s.clients;
    t["publishes"] = s.publishes;
    t["acks"] = s.acks;
    t["publish_errors"] = s.publish_errors;
    t["expected"] = s.expected;
    t["received"] = s.received;
    t["deliveries"] = s.deliveries;
    t["replayed"] = s.replayed;
    t["lost"] = s.lost;
    t["duplicates"] = s.duplicates;
    t["order_violations"] = s.order_violations;
    t["sticky_violations"] = s.sticky_violations;
    t["silent_clients"] = s.silent_clients;
    t["delivery_ratio"] = s.delivery_ratio;
    t["connects"] = s.connects;
    t["reconnects"] = s.reconnects;
    t["connect_failures"] = s.connect_failures;
    t["disconnects"] = s.disconnects;
    t["resume_gaps"] = s.resume_gaps;
    json::array lr;  // which seqs each client missed (at most lost_ranges_max)
    for (const auto& g : s.lost_ranges)
        lr.push_back(json::object{
            {"client", g.client}, {"channel", g.channel}, {"first", g.first}, {"last", g.last}});
    t["lost_ranges"] = std::move(lr);
    t["placements"] = {{"fresh", s.placements_fresh},
                       {"sticky", s.placements_sticky},
                       {"failover", s.placements_failover}};
    t["latency_us"] = {{"count", s.latency.count()},
                       {"p50", s.latency.percentile(0.5).count()},
                       {"p90", s.latency.percentile(0.9).count()},
                       {"p99", s.latency.percentile(0.99).count()},
                       {"p999", s.latency.percentile(0.999).count()},
                       {"max", s.latency.max().count()},
                       {"mean", s.latency.mean_us()}};
    o["totals"] = std::move(t);
    json::array fo;
    for (const auto& f : s.failovers) {
        json::object x;
        x["relay"] = f.relay;
        x["cause"] = f.cause;
        x["at_ms"] = f.at.count() / 1000;
        x["affected"] = f.affected;
        x["connected"] = f.connected;
        x["recovered"] = f.recovered;
        x["recovered_with_gap"] = f.recovered_with_gap;
        x["worst_ms"] = f.worst.count() / 1000.0;
        x["recovery_p50_ms"] = f.recovery.percentile(0.5).count() / 1000.0;
        x["recovery_p99_ms"] = f.recovery.percentile(0.99).count() / 1000.0;
        fo.push_back(std::move(x));
    }
    o["failovers"] = std::move(fo);
    json::array as;
    for (const auto& a : r.assertions) {
        json::object x;
        x["name"] = a.name;
        x["passed"] = a.passed;
        x["measured"] = number(a.measured);
        x["expected"] = a.expected;
        x["detail"] = a.detail;
        as.push_back(std::move(x));
    }
    o["assertions"] = std::move(as);
    json::array notes;
    for (const auto& n : r.notes)
        notes.push_back(json::string(n));
    o["notes"] = std::move(notes);
    return json::serialize(o) + "\n";
}

std::string to_junit(const run_result& r) {
    std::size_t failures = 0;
    for (const auto& a : r.assertions)
        failures += a.passed ? 0 : 1;
    const bool errored = r.verdict == "error" || r.verdict == "interrupted";
    const double secs = r.elapsed.count() / 1e6;
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<testsuites>\n<testsuite name=\"" + xml_escape(r.scenario) + "\" tests=\"" +
         std::to_string(r.assertions.size() + (errored ? 1 : 0)) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + (errored ? "1" : "0") + "\" time=\"" +
         verify::format_number(secs) + "\">\n";
    x += "  <properties><property name=\"seed\" value=\"" + std::to_string(r.seed) +
         "\"/><property name=\"file\" value=\"" + xml_escape(r.file) +
         "\"/><property name=\"run_dir\" value=\"" + xml_escape(r.run_dir) + "\"/></properties>\n";
    if (errored)
        x += "  <testcase classname=\"" + xml_escape(r.scenario) +
             "\" name=\"run\"><error message=\"" + xml_escape(r.verdict + ": " + r.error) +
             "\"/></testcase>\n";
    for (const auto& a : r.assertions) {
        x += "  <testcase classname=\"" + xml_escape(r.scenario) + "\" name=\"" +
             xml_escape(a.name) + "\"";
        if (a.passed) {
            x += "/>\n";
        } else {
            const std::string msg =
                "measured " + verify::format_number(a.measured) + ", expected " + a.expected;
            x += ">\n    <failure message=\"" + xml_escape(msg) + "\">" +
                 xml_escape(msg + (a.detail.empty() ? "" : ": " + a.detail)) +
                 "</failure>\n  </testcase>\n";
        }
    }
    x += "</testsuite>\n</testsuites>\n";
    return x;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out)
            throw std::runtime_error("cannot write " + path.string());
    }
    std::filesystem::rename(tmp, path);
}

ndjson_writer::ndjson_writer(events::event_stream& stream, const std::filesystem::path& path)
    : stream_(stream) {
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    file_ = std::fopen(path.c_str(), "w");
    if (!file_)
        throw std::runtime_error("cannot open " + path.string() + " for the event log");
    sub_ = stream_.subscribe([this](const events::event& e) {
        const auto line = events::to_ndjson(e) + "\n";
        std::fwrite(line.data(), 1, line.size(), file_);
        std::fflush(file_);
    });
}

ndjson_writer::~ndjson_writer() {
    stream_.unsubscribe(sub_);
    std::fclose(file_);
}

}  // namespace switchyard::report
