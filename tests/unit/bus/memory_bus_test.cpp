#include "backends/bus/memory_bus.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

using namespace switchyard::bus;

namespace {
struct recorder : bus_listener {
    std::vector<message_ptr> messages;
    std::vector<bus_direct> directs;
    std::vector<bool> states;
    void on_bus_message(message_ptr m) override { messages.push_back(std::move(m)); }
    void on_bus_direct(bus_direct d) override { directs.push_back(std::move(d)); }
    void on_bus_state(bool up) override { states.push_back(up); }
};
}  // namespace

TEST(MemoryBus, PublishAssignsSequenceDeliversAndKeepsHistory) {
    boost::asio::io_context ioc;
    bus_options options;
    options.history_max = 3;
    auto bus = make_bus("memory", options, ioc.get_executor());
    recorder rec;
    bus->start(rec);
    std::vector<std::uint64_t> acks;
    for (int i = 0; i < 5; ++i)
        bus->publish("g", "c-1", std::to_string(i), [&](bus_status st, std::uint64_t seq) {
            EXPECT_EQ(st, bus_status::ok);
            acks.push_back(seq);
        });
    EXPECT_TRUE(acks.empty()) << "callbacks are posted, never re-entrant";
    ioc.run();
    EXPECT_EQ(acks, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    ASSERT_EQ(rec.messages.size(), 5u);
    EXPECT_EQ(rec.messages[4]->data, "4");
    EXPECT_EQ(rec.messages[4]->from, "c-1");
    EXPECT_EQ(rec.states, (std::vector<bool>{true}));

    ioc.restart();
    bus_history got;
    bus->history("g", 1, [&](bus_history h) { got = std::move(h); });
    ioc.run();
    EXPECT_EQ(got.latest, 5u);
    EXPECT_EQ(got.oldest, 3u);  // history_max = 3
    ASSERT_EQ(got.entries.size(), 3u);
    EXPECT_EQ(got.entries.front()->seq, 3u);

    ioc.restart();
    bus->history("g", std::nullopt, [&](bus_history h) { got = std::move(h); });
    ioc.run();
    EXPECT_EQ(got.latest, 5u);
    EXPECT_TRUE(got.entries.empty());
}

TEST(MemoryBus, TargetedDeliveryNeedsARegisteredClient) {
    boost::asio::io_context ioc;
    auto bus = make_bus("memory", {}, ioc.get_executor());
    recorder rec;
    bus->start(rec);
    std::vector<bus_status> results;
    bus->send("c-9", "c-1", "1", [&](bus_status st) { results.push_back(st); });
    bus->register_client("c-9");
    bus->register_client("c-9");
    bus->send("c-9", "c-1", "2", [&](bus_status st) { results.push_back(st); });
    bus->unregister_client("c-9");
    bus->send("c-9", "c-1", "3", [&](bus_status st) { results.push_back(st); });
    bus->unregister_client("c-9");
    bus->send("c-9", "c-1", "4", [&](bus_status st) { results.push_back(st); });
    ioc.run();
    EXPECT_EQ(results, (std::vector<bus_status>{bus_status::not_found, bus_status::ok,
                                                bus_status::ok, bus_status::not_found}));
    ASSERT_EQ(rec.directs.size(), 2u);
    EXPECT_EQ(rec.directs[0].to, "c-9");
    EXPECT_EQ(rec.directs[0].data, "2");
}

TEST(BusFactory, RejectsUnknownSpecsByName) {
    boost::asio::io_context ioc;
    for (const char* spec : {"kafka://x:1", "redis://", "nonsense", "redis://h:0"}) {
        try {
            make_bus(spec, {}, ioc.get_executor());
            ADD_FAILURE() << spec << " accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("--bus"), std::string::npos);
        }
    }
}
