// service_queue counts work in nanoseconds: sub-microsecond costs add up exactly, and what it
// hands the kernel is the microsecond the work is done (rounded up, never early).
#include "engine/sim/sim_costs.hpp"

#include <gtest/gtest.h>

namespace switchyard::sim {
namespace {

TEST(ServiceQueue, SubMicrosecondCostsAddUpExactly) {
    service_queue q;
    micros done{0};
    for (int i = 0; i < 1000; ++i)
        done = q.admit(micros{0}, nanos{300});
    // 1000 frames at 0.3 us: 300 us busy (it was 1000 us when costs were whole microseconds).
    EXPECT_EQ(q.busy_until(), nanos{300'000});
    EXPECT_EQ(done, micros{300});
    EXPECT_EQ(q.backlog(micros{100}), micros{200});
}

TEST(ServiceQueue, DoneTimesRoundUpToTheKernelsMicrosecond) {
    service_queue q;
    EXPECT_EQ(q.admit(micros{10}, nanos{300}), micros{11});  // done at 10.3 us: event at 11
    EXPECT_EQ(q.admit(micros{10}, nanos{300}), micros{11});  // 10.6 us
    EXPECT_EQ(q.admit(micros{10}, nanos{400}), micros{11});  // 11.0 us exactly
    EXPECT_EQ(q.admit(micros{10}, nanos{1}), micros{12});    // 11.000001 us
    EXPECT_EQ(q.backlog(micros{11}), micros{1});             // 1 ns left: rounds up
    EXPECT_EQ(q.backlog(micros{12}), micros{0});
    // Idle until 50 us: work starts when it arrives, not when the queue last emptied.
    EXPECT_EQ(q.admit(micros{50}, nanos{2'500}), micros{53});
    EXPECT_EQ(q.busy_until(), nanos{52'500});
}

}  // namespace
}  // namespace switchyard::sim
