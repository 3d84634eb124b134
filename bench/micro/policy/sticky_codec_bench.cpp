#include <benchmark/benchmark.h>

#include "backends/policy/sticky_codec.hpp"

using namespace switchyard::policy;

namespace {
const sticky_codec::wall_time t0{std::chrono::seconds{1'800'000'000}};

void BM_sticky_sign(benchmark::State& state) {
    sticky_codec codec("bench-secret", std::chrono::seconds{3600});
    for (auto _ : state)
        benchmark::DoNotOptimize(codec.encode("relay-17", t0));
}
BENCHMARK(BM_sticky_sign);

void BM_sticky_verify(benchmark::State& state) {
    sticky_codec codec("bench-secret", std::chrono::seconds{3600});
    const std::string cookie = codec.encode("relay-17", t0);
    for (auto _ : state)
        benchmark::DoNotOptimize(codec.decode(cookie, t0));
}
BENCHMARK(BM_sticky_verify);
}  // namespace
