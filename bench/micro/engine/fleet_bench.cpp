// The fleet's hot paths without sockets: the behaviour core's wake-up, building a publish frame,
// and reading the carried fields out of a delivered message.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "engine/fleet/client_behaviour.hpp"
#include "engine/fleet/message_codec.hpp"

namespace {

using namespace switchyard::fleet;
using namespace std::chrono_literals;

void bm_behaviour_publish_wakeups(benchmark::State& state) {
    fleet_config cfg;
    cfg.publish_rate_hz = 1000;
    client_behaviour b(cfg);
    switchyard::policy::fast_rng rng(1);
    b.start(0us, 0us);
    b.on_hello(0us, "r", false, rng);
    auto a = b.on_subscribed(0us, 0, 1, rng);
    std::uint64_t published = 0;
    for (auto _ : state) {
        a = b.on_wake(a.wake_at, rng);
        published += a.publish_count;
    }
    benchmark::DoNotOptimize(published);
    state.SetItemsProcessed(static_cast<std::int64_t>(published));
}
BENCHMARK(bm_behaviour_publish_wakeups);

void bm_make_publish_frame(benchmark::State& state) {
    const auto bytes = static_cast<std::uint32_t>(state.range(0));
    std::uint64_t n = 0;
    for (auto _ : state) {
        auto frame = make_publish_frame("global", 17, ++n, micros{123456789}, bytes);
        benchmark::DoNotOptimize(frame);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes);
}
BENCHMARK(bm_make_publish_frame)->Arg(128)->Arg(1024);

void bm_parse_delivery(benchmark::State& state) {
    const auto bytes = static_cast<std::uint32_t>(state.range(0));
    const std::string frame =
        R"({"type":"message","channel":"global","seq":42,"from":"c-17","data":)" +
        make_data(17, 5, micros{123456789}, bytes) + "}";
    for (auto _ : state) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(frame, ec);
        auto carried = parse_carried(v.at("data"));
        benchmark::DoNotOptimize(carried);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(bm_parse_delivery)->Arg(128)->Arg(1024);

}  // namespace
