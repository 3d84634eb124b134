#include "engine/report/console_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "engine/verify/expectation.hpp"

namespace switchyard::report {
namespace {

std::string seconds(std::chrono::microseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", d.count() / 1e6);
    return buf;
}

std::string ms(std::chrono::microseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", d.count() / 1e3);
    return buf;
}

std::string pad(std::string s, std::size_t w) {
    if (s.size() < w)
        s.append(w - s.size(), ' ');
    return s;
}

}  // namespace

void write_console_summary(std::ostream& out, const run_result& r) {
    const auto& s = r.summary;
    out << "\nswitchyard " << r.command << ": " << r.scenario << "  (seed " << r.seed << ", "
        << seconds(r.elapsed) << ")\n";
    if (!r.run_dir.empty())
        out << "  logs      " << r.run_dir << "\n";
    out << "  clients   " << s.clients << " seen, " << s.connects << " connects (" << s.reconnects
        << " reconnects: " << s.placements_sticky << " sticky, " << s.placements_failover
        << " failover), " << s.connect_failures << " failed connects, " << s.disconnects
        << " disconnects\n";
    out << "  traffic   " << s.publishes << " published, " << s.acks << " acked, " << s.deliveries
        << " delivered (" << s.replayed << " replayed), ratio "
        << verify::format_number(s.delivery_ratio) << ", lost " << s.lost << ", duplicates "
        << s.duplicates << "\n";
    out << "  latency   p50 " << ms(s.latency.percentile(0.5)) << ", p99 "
        << ms(s.latency.percentile(0.99)) << ", max " << ms(s.latency.max()) << "\n";
    for (const auto& f : s.failovers) {
        out << "  failover  " << f.relay << " " << f.cause << " at " << seconds(f.at) << ": "
            << f.recovered << "/" << f.affected << " clients back";
        if (f.affected && f.recovered == f.affected)
            out << ", p50 " << ms(f.recovery.percentile(0.5)) << ", slowest " << ms(f.worst);
        out << "\n";
    }
    for (const auto& n : r.notes)
        out << "  note      " << n << "\n";
    if (!r.assertions.empty()) {
        // Wide enough for the longest checker name (resumed_without_gap_ratio) plus a gap.
        std::size_t name_w = 20;
        for (const auto& a : r.assertions)
            name_w = std::max(name_w, a.name.size() + 2);
        out << "\n  " << pad("ASSERTION", name_w) << pad("EXPECTED", 14) << pad("MEASURED", 14)
            << "RESULT\n";
        for (const auto& a : r.assertions) {
            out << "  " << pad(a.name, name_w) << pad(a.expected, 14)
                << pad(verify::format_number(a.measured), 14) << (a.passed ? "pass" : "FAIL");
            if (!a.passed && !a.detail.empty())
                out << "  " << a.detail;
            out << "\n";
        }
    }
    std::size_t passed = 0;
    for (const auto& a : r.assertions)
        passed += a.passed ? 1 : 0;
    out << "\n";
    if (r.verdict == "passed")
        out << "PASSED";
    else if (r.verdict == "failed")
        out << "FAILED";
    else if (r.verdict == "interrupted")
        out << "INTERRUPTED (partial results)";
    else
        out << "ERROR";
    out << "  " << passed << "/" << r.assertions.size() << " assertions held";
    if (!r.error.empty())
        out << "; " << r.error;
    out << "  (exit " << r.exit_code << ")\n";
}

console_progress::console_progress(events::event_stream& stream, std::FILE* out, bool quiet)
    : stream_(stream), out_(out), tty_(::isatty(::fileno(out)) != 0), quiet_(quiet) {
    sub_ = stream_.subscribe([this](const events::event& e) { on_event(e); });
}

console_progress::~console_progress() {
    stream_.unsubscribe(sub_);
    if (progress_shown_)
        std::fputs("\n", out_);
}

void console_progress::line(const std::string& text) {
    if (quiet_)
        return;
    if (tty_ && progress_shown_)
        std::fputs("\r\033[K", out_);
    std::fputs(text.c_str(), out_);
    std::fputs("\n", out_);
    progress_shown_ = false;
    std::fflush(out_);
}

void console_progress::on_event(const events::event& e) {
    using namespace events;
    const std::string at = "[" + seconds(event_time(e)) + "] ";
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, run_started>) {
                planned_s_ = v.duration.count() / 1e6;
                line("switchyard: running " + v.scenario + " (seed " + std::to_string(v.seed) +
                     "), logs in " + v.run_dir);
            } else if constexpr (std::is_same_v<T, component_changed>) {
                if (v.kind != "proxy")
                    line(at + v.component + " " + v.state +
                         (v.port ? " port " + std::to_string(v.port) : ""));
            } else if constexpr (std::is_same_v<T, health_changed>) {
                line(at + "balancer sees " + v.backend + " " + (v.from.empty() ? "?" : v.from) +
                     " -> " + v.to);
            } else if constexpr (std::is_same_v<T, action_applied>) {
                line(at + v.source + ": " + std::string(to_string(v.kind)) + " " + v.target +
                     (v.detail.empty() ? "" : " " + v.detail) +
                     (v.ok ? "" : "  FAILED: " + v.error));
            } else if constexpr (std::is_same_v<T, fault_changed>) {
                line(at + "fault " + (v.active ? "set on " : "cleared on ") + v.link +
                     (v.toxic.empty() ? "" : " (" + v.toxic + ")"));
            } else if constexpr (std::is_same_v<T, log_message>) {
                line(at + v.level + ": " + v.text);
            } else if constexpr (std::is_same_v<T, metrics>) {
                std::ostringstream o;
                o << "[" << seconds(v.at);
                if (planned_s_ > 0)
                    o << "/" << std::fixed << std::setprecision(0) << planned_s_ << "s";
                o << "] clients " << v.clients_connected << "  pub/s " << std::fixed
                  << std::setprecision(0) << v.publishes_per_s << "  del/s " << v.deliveries_per_s
                  << "  p99 " << ms(v.latency_p99) << "  relays";
                for (const auto& r : v.relays)
                    if (!r.relay.empty())
                        o << " " << r.relay << ":" << r.clients;
                if (quiet_)
                    return;
                if (tty_) {
                    std::fputs(("\r\033[K" + o.str()).c_str(), out_);
                    std::fflush(out_);
                    progress_shown_ = true;
                } else if (++metrics_seen_ % plain_progress_every == 0) {
                    line(o.str());
                }
            }
        },
        e);
}

}  // namespace switchyard::report
