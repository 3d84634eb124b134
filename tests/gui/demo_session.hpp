#pragma once
// A realistic recorded session built from the engine's event types: three relays, two fleets
// of clients ("web" and "mobile"), relay-2 killed at 12 s (its clients fail over), latency on
// relay-3's Redis link, relay-2 restarted at 20 s, Redis restarted by hand at 25 s, verdicts at the
// end. The replay and screenshot tests play it.
#include <cstdint>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::gui::testing {

struct DemoOptions {
    std::uint32_t clients = 300;
    double durationS = 30;
    int samplesPerPeriod = 6;  ///< delivery samples per 250 ms metrics period
    double publishPerClientS = 1;
};

std::vector<events::event> makeDemoSession(const DemoOptions& o = {});

}  // namespace switchyard::gui::testing
