// Checkers on live delivery latency (publisher's send time to receipt), in milliseconds.
#include "engine/verify/latency_checkers.hpp"

namespace switchyard::verify {
namespace {

std::string sample_text(const latency_histogram& h) {
    return std::to_string(h.count()) + " live deliveries";
}

class latency_quantile_checker final : public checker {
  public:
    explicit latency_quantile_checker(double q) : q_(q) {}
    measurement measure(const ledger_summary& s) const override {
        const double ms = q_ >= 1.0 ? s.latency.max().count() / 1000.0
                                    : s.latency.percentile(q_).count() / 1000.0;
        return {ms, sample_text(s.latency)};
    }

  private:
    double q_;
};

}  // namespace

std::unique_ptr<checker> make_latency_p50_checker() {
    return std::make_unique<latency_quantile_checker>(0.50);
}
std::unique_ptr<checker> make_latency_p99_checker() {
    return std::make_unique<latency_quantile_checker>(0.99);
}
std::unique_ptr<checker> make_latency_max_checker() {
    return std::make_unique<latency_quantile_checker>(1.0);
}

}  // namespace switchyard::verify
