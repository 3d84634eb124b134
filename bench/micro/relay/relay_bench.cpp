// What a broadcast costs the relay before the kernel: the hub's walk over subscribers, the
// one-time framing of a message, and parsing a client's masked frame.
#include <benchmark/benchmark.h>

#include "backends/policy/hub.hpp"
#include "backends/relay/relay_message.hpp"
#include "backends/relay/ws_codec.hpp"

using namespace switchyard;

// Hub fan-out: one message to N synced subscribers (the per-delivery core cost).
static void BM_HubFanOut(benchmark::State& state) {
    policy::hub hub;
    const auto n = static_cast<policy::subscriber_id>(state.range(0));
    for (policy::subscriber_id s = 1; s <= n; ++s) {
        hub.subscribe(s, "global", std::nullopt);
        hub.on_synced(s, "global", {}, 1, 0);
    }
    std::uint64_t seq = 0;
    std::uint64_t delivered = 0;
    for (auto _ : state) {
        hub.on_message(
            "global", policy::hub_entry{++seq, nullptr},
            [&](policy::subscriber_id) { ++delivered; }, [](policy::subscriber_id) {});
    }
    benchmark::DoNotOptimize(delivered);
    state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
}
BENCHMARK(BM_HubFanOut)->Arg(100)->Arg(1000)->Arg(10000);

// Framing once per message per relay: native JSON frame + its WebSocket frame.
static void BM_FrameOncePerMessage(benchmark::State& state) {
    auto msg = std::make_shared<bus::bus_message>();
    msg->channel = "global";
    msg->from = "c-17";
    msg->data = R"({"t":1700000000000.123,"n":42,"text":"hello world"})";
    std::uint64_t seq = 0;
    for (auto _ : state) {
        msg->seq = ++seq;
        auto rm = std::make_shared<relay::relay_message>(msg);
        benchmark::DoNotOptimize(rm->ws_frame(false, false));
    }
}
BENCHMARK(BM_FrameOncePerMessage);

// Parsing one masked 100-byte client frame.
static void BM_ParseClientFrame(benchmark::State& state) {
    std::string payload(100, 'x');
    std::string f = "\x81";
    f.push_back(static_cast<char>(0x80 | payload.size()));
    f.append("\x11\x22\x33\x44");
    for (std::size_t i = 0; i < payload.size(); ++i)
        f.push_back(static_cast<char>(payload[i] ^ "\x11\x22\x33\x44"[i & 3]));
    relay::ws_parser parser(1 << 16);
    for (auto _ : state) {
        relay::ws_parser::event ev;
        benchmark::DoNotOptimize(parser.parse(f, ev));
    }
}
BENCHMARK(BM_ParseClientFrame);
