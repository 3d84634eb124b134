#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "backends/policy/selector.hpp"

using namespace switchyard::policy;

namespace {

// ns per pick for strategy `table[range(0)]` over range(1) backends, one in ten down and a
// spread of connection counts, keyed by a rotating client key (as consistent-hash needs one).
void BM_pick(benchmark::State& state) {
    const auto& row = selector_table()[static_cast<std::size_t>(state.range(0))];
    const auto n = static_cast<std::size_t>(state.range(1));
    std::vector<backend_view> backends(n);
    for (std::size_t i = 0; i < n; ++i) {
        backends[i] = {"relay-" + std::to_string(i), 1 + static_cast<std::uint32_t>(i % 3),
                       i % 10 == 3 ? backend_state::down : backend_state::up,
                       static_cast<std::uint32_t>((i * 7) % 50)};
    }
    auto s = row.make();
    s->on_backends_changed(backends);
    std::vector<std::string> keys;
    for (int k = 0; k < 1024; ++k)
        keys.push_back("10.1." + std::to_string(k / 256) + "." + std::to_string(k % 256));
    fast_rng rng(1);
    std::size_t k = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(s->pick(backends, {keys[k++ & 1023]}, rng));
    }
    state.SetLabel(std::string(row.name));
}

void pick_args(benchmark::internal::Benchmark* b) {
    for (std::size_t s = 0; s < selector_table().size(); ++s) {
        for (int n : {3, 30, 300})
            b->Args({static_cast<std::int64_t>(s), n});
    }
    b->ArgNames({"strategy", "backends"});
}
BENCHMARK(BM_pick)->Apply(pick_args);

}  // namespace
