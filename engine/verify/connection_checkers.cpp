// Checkers on connections: failover time, stickiness, errors, reconnects.
#include "engine/verify/connection_checkers.hpp"

#include <cmath>
#include <limits>

namespace switchyard::verify {
namespace {

std::string ms_text(micros d) {
    return std::to_string(d.count() / 1000) + " ms";
}

/// Kill (or drain) to every affected client reconnected and receiving: the worst episode. A
/// client that never came back makes the value infinite.
class failover_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        if (s.failovers.empty())
            return {0, "no relay was lost"};
        double worst = 0;
        std::string detail;
        for (const auto& ep : s.failovers) {
            double v = ep.worst.count() / 1000.0;
            std::string text = ep.relay + " " + ep.cause + " at " + ms_text(ep.at) + ": " +
                               std::to_string(ep.recovered) + "/" + std::to_string(ep.affected) +
                               " clients back";
            if (ep.recovered < ep.affected) {
                v = std::numeric_limits<double>::infinity();
                if (ep.unrecovered_example)
                    text += ", client " + std::to_string(*ep.unrecovered_example) +
                            " never received again";
            } else if (ep.affected > 0) {
                text += ", slowest client " + std::to_string(ep.worst_client) + " after " +
                        ms_text(ep.worst);
            }
            if (detail.empty() || v > worst) {
                worst = v;
                detail = text;
            }
        }
        return {worst, detail};
    }
};

/// The spread of a failover: each recovered client's time back, over every episode. A client
/// that never came back is failover_ms's to report (inf); here it only leaves the counts short.
class recovery_quantile_checker final : public checker {
  public:
    explicit recovery_quantile_checker(double q) : q_(q) {}
    measurement measure(const ledger_summary& s) const override {
        if (s.failovers.empty())
            return {0, "no relay was lost"};
        latency_histogram all;
        std::uint64_t affected = 0;
        for (const auto& ep : s.failovers) {
            all.merge(ep.recovery);
            affected += ep.affected;
        }
        if (all.count() == 0)
            return {0, "no affected client recovered (" + std::to_string(affected) + " affected)"};
        const double v = all.percentile(q_).count() / 1000.0;
        return {v, std::to_string(all.count()) + " of " + std::to_string(affected) +
                       " affected clients back over " + std::to_string(s.failovers.size()) +
                       " episode(s): p50 " + ms_text(all.percentile(0.5)) + ", p99 " +
                       ms_text(all.percentile(0.99)) + ", max " + ms_text(all.max())};
    }

  private:
    double q_;
};

class resumed_without_gap_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        std::uint64_t recovered = 0, with_gap = 0;
        for (const auto& ep : s.failovers) {
            recovered += ep.recovered;
            with_gap += ep.recovered_with_gap;
        }
        if (recovered == 0)
            return {1, "no client moved"};
        return {static_cast<double>(recovered - with_gap) / static_cast<double>(recovered),
                std::to_string(recovered - with_gap) + " of " + std::to_string(recovered) +
                    " moved clients resumed without a gap"};
    }
};

class count_checker final : public checker {
  public:
    using getter = std::uint64_t (*)(const ledger_summary&);
    using describer = std::string (*)(const ledger_summary&);
    count_checker(getter g, describer d) : get_(g), describe_(d) {}
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(get_(s)), describe_(s)};
    }

  private:
    getter get_;
    describer describe_;
};

}  // namespace

std::unique_ptr<checker> make_failover_checker() {
    return std::make_unique<failover_checker>();
}
std::unique_ptr<checker> make_recovery_quantile_checker(double q) {
    return std::make_unique<recovery_quantile_checker>(q);
}
std::unique_ptr<checker> make_resumed_without_gap_checker() {
    return std::make_unique<resumed_without_gap_checker>();
}
std::unique_ptr<checker> make_replayed_checker() {
    return std::make_unique<count_checker>([](const ledger_summary& s) { return s.replayed; },
                                           [](const ledger_summary& s) {
                                               return std::to_string(s.replayed) +
                                                      " messages replayed from history on resume";
                                           });
}
std::unique_ptr<checker> make_sticky_checker() {
    return std::make_unique<count_checker>(
        [](const ledger_summary& s) { return s.sticky_violations; },
        [](const ledger_summary& s) { return s.sticky_example; });
}
std::unique_ptr<checker> make_errors_checker() {
    return std::make_unique<count_checker>(
        [](const ledger_summary& s) {
            return s.connect_failures + s.publish_errors + s.resume_gaps;
        },
        [](const ledger_summary& s) {
            return std::to_string(s.connect_failures) + " failed connects, " +
                   std::to_string(s.publish_errors) + " refused publishes, " +
                   std::to_string(s.resume_gaps) + " resume gaps" +
                   (s.connect_failure_example.empty() ? "" : "; " + s.connect_failure_example);
        });
}
std::unique_ptr<checker> make_connect_failures_checker() {
    return std::make_unique<count_checker>(
        [](const ledger_summary& s) { return s.connect_failures; },
        [](const ledger_summary& s) { return s.connect_failure_example; });
}
std::unique_ptr<checker> make_publish_errors_checker() {
    return std::make_unique<count_checker>([](const ledger_summary& s) { return s.publish_errors; },
                                           [](const ledger_summary& s) {
                                               return std::to_string(s.acks) + " of " +
                                                      std::to_string(s.publishes) +
                                                      " publishes acknowledged";
                                           });
}
std::unique_ptr<checker> make_reconnects_checker() {
    return std::make_unique<count_checker>(
        [](const ledger_summary& s) { return s.reconnects; },
        [](const ledger_summary& s) {
            return std::to_string(s.placements_sticky) + " sticky, " +
                   std::to_string(s.placements_failover) + " failover, " +
                   std::to_string(s.placements_fresh) + " fresh placements";
        });
}
std::unique_ptr<checker> make_disconnects_checker() {
    return std::make_unique<count_checker>([](const ledger_summary& s) { return s.disconnects; },
                                           [](const ledger_summary&) { return std::string{}; });
}
std::unique_ptr<checker> make_resume_gaps_checker() {
    return std::make_unique<count_checker>([](const ledger_summary& s) { return s.resume_gaps; },
                                           [](const ledger_summary&) { return std::string{}; });
}

}  // namespace switchyard::verify
