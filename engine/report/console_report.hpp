#pragma once
// What a person reads: a progress line while the run goes, notable events as they happen, and
// a summary table at the end.
#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>

#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"

namespace switchyard::report {

/// The end-of-run table: verdict, traffic, latency, failovers, one row per assertion.
void write_console_summary(std::ostream& out, const run_result& r);

/// Subscribes to a run's events and writes them for a person to `out` (stderr by default):
/// on a terminal, one progress line rewritten in place from the metrics events plus a line for
/// each notable event (component state, health change, action, fault, warning); elsewhere (CI
/// logs), the same lines and a progress line every `plain_progress_every` metrics events.
class console_progress {
  public:
    console_progress(events::event_stream& stream, std::FILE* out, bool quiet);
    ~console_progress();
    console_progress(const console_progress&) = delete;
    console_progress& operator=(const console_progress&) = delete;

    /// Metrics events between two plain progress lines (at 250 ms: one line every 2 s).
    static constexpr int plain_progress_every = 8;

  private:
    void on_event(const events::event& e);
    void line(const std::string& text);

    events::event_stream& stream_;
    events::event_stream::subscription sub_;
    std::FILE* out_;
    bool tty_;
    bool quiet_;
    bool progress_shown_ = false;
    int metrics_seen_ = 0;
    double planned_s_ = 0;
};

}  // namespace switchyard::report
