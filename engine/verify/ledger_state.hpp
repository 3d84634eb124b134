#pragma once
// The ledger's private state, shared by its recording half (ledger.cpp) and its reading half
// (ledger_report.cpp). Not part of the ledger's interface.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/verify/ledger.hpp"
#include "engine/verify/name_table.hpp"

namespace switchyard::verify {

/// Missing seqs first..last (inclusive) below a client's running maximum.
struct ledger_gap {
    std::uint64_t first;
    std::uint64_t last;
};

/// One client's window on one channel (see the ledger's model).
struct channel_track {
    std::uint32_t channel = 0;  // id in the ledger's channel table
    std::uint64_t first = 0;    // first seq received; 0 = none yet
    std::uint64_t max = 0;
    std::vector<ledger_gap> gaps;      // missing seqs below max, sorted
    std::optional<std::uint64_t> end;  // channel max when the client went down
};

struct ledger::client_state {
    bool seen = false;
    bool connected = false;
    bool ever_connected = false;
    std::string relay;
    std::uint32_t relay_id = 0;  // id of `relay` in the relay table while connected
    std::string previous_relay;
    std::uint32_t conn_gen = 0;
    std::vector<channel_track> channels;
    std::optional<std::uint32_t> publish_channel;
    std::uint64_t last_ack_n = 0;
    std::uint64_t last_ack_seq = 0;
    long awaiting_episode = -1;
    std::uint32_t awaiting_gen = 0;
    std::uint32_t gap_gen = 0;  // conn_gen of the last connection whose resume hit a gap (0: none)
    std::uint64_t deliveries = 0;
};

struct ledger::shard {
    mutable std::mutex mutex;
    std::vector<client_state> clients;  // client index / shard_count

    std::uint64_t publishes = 0, acks = 0, publish_errors = 0;
    std::uint64_t deliveries = 0, replayed = 0, duplicates = 0, order_violations = 0;
    std::uint64_t sticky_violations = 0;
    std::uint64_t connects = 0, reconnects = 0, connect_failures = 0, disconnects = 0;
    std::uint64_t resume_gaps = 0;
    std::uint64_t placements[3] = {0, 0, 0};
    latency_histogram latency;

    std::uint64_t p_publishes = 0, p_acks = 0, p_deliveries = 0;
    latency_histogram p_latency;
    std::vector<std::uint64_t> p_relay_deliveries;  // by relay id
    std::optional<fleet::delivery_record> sample;

    std::string duplicate_example, order_example, sticky_example, connect_failure_example;
};

/// The ledger's channel and relay names (two tables: ids of one never shift the other's).
struct ledger::tables {
    name_table channels;
    name_table relays;
};

}  // namespace switchyard::verify
