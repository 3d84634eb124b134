// Per-chunk cost of the toxics the fault proxy consults on every read.
#include <benchmark/benchmark.h>

#include "engine/faults/toxic_table.hpp"

namespace {

using namespace switchyard::faults;

void bm_toxic_on_chunk(benchmark::State& state, const char* name) {
    toxic_params p;
    if (std::string_view(name) == "latency") {
        p.values["jitter_ms"] = 5;
    }
    auto t = make_toxic(name, p);
    fast_rng rng(1);
    link_state link;
    mono_time now{};
    for (auto _ : state) {
        now += std::chrono::microseconds(10);
        auto a = t->on_chunk(stream_dir::upstream, 1024, now, link, rng);
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK_CAPTURE(bm_toxic_on_chunk, latency, "latency");
BENCHMARK_CAPTURE(bm_toxic_on_chunk, bandwidth, "bandwidth");
BENCHMARK_CAPTURE(bm_toxic_on_chunk, partition, "partition");

}  // namespace
