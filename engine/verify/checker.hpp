#pragma once
// A checker measures one property of a run from the ledger's summary. Whether the measured value
// passes is the scenario's call (its `expect:` bounds), so a checker never judges, it measures.
#include <string>

#include "engine/verify/ledger_summary.hpp"

namespace switchyard::verify {

struct measurement {
    double value = 0;
    std::string detail;  ///< the concrete case behind a bad value ("client 4 on global: ...")
};

/// Contract: measure() is pure (same summary, same answer), cheap, and may be called any number
/// of times, including on a partial run's summary.
class checker {
  public:
    virtual ~checker() = default;
    virtual measurement measure(const ledger_summary& s) const = 0;
};

}  // namespace switchyard::verify
