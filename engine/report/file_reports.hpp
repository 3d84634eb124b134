#pragma once
// Machine-readable reports: --json (the whole result), --junit (one testcase per assertion) and
// --events (every event as NDJSON, written while the run goes).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"

namespace switchyard::report {

/// The result as one JSON document (verdict, numbers, failovers, assertions).
std::string to_json(const run_result& r);
/// JUnit XML: one testsuite named after the scenario, one testcase per assertion; a failing
/// assertion has a <failure> with "measured X, expected Y: detail"; an error run has one
/// errored testcase "run" with the reason.
std::string to_junit(const run_result& r);

/// Writes `text` to `path` atomically enough for CI (temp file, then rename). Throws
/// std::runtime_error naming the path when it cannot.
void write_file(const std::filesystem::path& path, const std::string& text);

/// Subscribes to a stream and appends each event as one NDJSON line; flushed on every event so
/// a killed run still leaves a readable log up to its last event.
class ndjson_writer {
  public:
    /// Throws std::runtime_error if `path` cannot be opened.
    ndjson_writer(events::event_stream& stream, const std::filesystem::path& path);
    ~ndjson_writer();
    ndjson_writer(const ndjson_writer&) = delete;
    ndjson_writer& operator=(const ndjson_writer&) = delete;

  private:
    events::event_stream& stream_;
    events::event_stream::subscription sub_;
    std::FILE* file_;
};

}  // namespace switchyard::report
