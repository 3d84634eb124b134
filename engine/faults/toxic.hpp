#pragma once
// A toxic: one kind of network misbehaviour the fault proxy applies to a link. Toxics are pure
// decision cores (no sockets, no clock): the proxy asks them, with an explicit `now`, what to do
// with a new connection, with each chunk of bytes read from either side, and with a close.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "backends/policy/fast_rng.hpp"

namespace switchyard::faults {

using mono_time = std::chrono::steady_clock::time_point;
using millis = std::chrono::milliseconds;
using micros = std::chrono::microseconds;
using policy::fast_rng;

/// Which way bytes flow through the proxy.
enum class stream_dir : std::uint8_t {
    upstream,    ///< client (accepted side) to server (upstream side)
    downstream,  ///< server to client
};

/// Which directions a toxic applies to.
enum class toxic_direction : std::uint8_t { upstream, downstream, both };
std::string_view to_string(toxic_direction d) noexcept;
/// "upstream", "downstream" or "both"; false on anything else.
bool toxic_direction_from_string(std::string_view s, toxic_direction& out) noexcept;
bool applies(toxic_direction d, stream_dir s) noexcept;

/// What happens to one connection, asked on accept and again on every live connection whenever
/// the set of toxics changes. The proxy combines the answers of all toxics: the strongest wins
/// (reset > close_after > no_upstream > hold > proceed).
struct connection_action {
    enum kind_t : std::uint8_t {
        proceed,      ///< nothing special
        hold,         ///< do not connect upstream yet (partition); re-asked when toxics change
        no_upstream,  ///< never connect upstream; read and discard what the client sends
        close_after,  ///< close both sides gracefully after `after` (timeout)
        reset,        ///< abort both sides with RST after `after` (0 = now)
    };
    kind_t kind = proceed;
    millis after{0};
};

/// What happens to one chunk of bytes read from one side.
struct chunk_action {
    enum kind_t : std::uint8_t {
        deliver,  ///< write it to the other side at `at` (never before earlier chunks)
        drop,     ///< discard it (blackhole, timeout)
        stall,    ///< keep it, deliver nothing in this direction until toxics change (partition)
    };
    kind_t kind = deliver;
    mono_time at{};
};

/// Per-connection, per-direction state a toxic may keep between chunks (bandwidth's pacing).
/// Owned by the proxy's connection; one slot per toxic instance is not needed because toxics
/// that pace share the one "link busy until" notion, like a single wire.
struct link_state {
    mono_time busy_until{};  ///< the wire in this direction is busy sending until then
};

/// Numeric parameters of a toxic, keyed by name with the unit last ("latency_ms", "rate_kbps").
/// The scenario parser fills this from YAML; each toxic's factory reads its own keys, applies
/// defaults and rejects unknown keys and bad values (std::invalid_argument naming the key).
struct toxic_params {
    toxic_direction direction = toxic_direction::both;
    std::map<std::string, double, std::less<>> values;

    /// The value under `key`, or `fallback` when absent.
    double get(std::string_view key, double fallback) const {
        const auto it = values.find(key);
        return it == values.end() ? fallback : it->second;
    }
};

/// The interface every toxic implements. Contract:
///  - Calls come from the proxy's single thread; a toxic needs no locking.
///  - `now` is the only clock; `rng` the only randomness (seeded per proxy).
///  - on_chunk is only called for directions where applies(direction(), dir) holds, in order,
///    with `ready_at` = the time the chunk may leave according to earlier toxics (>= now).
///  - A toxic may omit on_connection / on_close: the defaults do nothing.
class toxic {
  public:
    explicit toxic(toxic_direction direction) : direction_(direction) {}
    virtual ~toxic() = default;

    /// The table name of this toxic ("latency", ...).
    virtual std::string_view type() const noexcept = 0;

    /// Asked for a connection when it is accepted (`live` false) and for every open connection
    /// when this toxic is added (`live` true).
    virtual connection_action on_connection(bool live, mono_time now, fast_rng& rng) {
        (void)live, (void)now, (void)rng;
        return {};
    }
    /// One chunk of `bytes` read from one side at `now`.
    virtual chunk_action on_chunk(stream_dir dir, std::size_t bytes, mono_time ready_at,
                                  link_state& link, fast_rng& rng) = 0;
    /// One side closed (EOF) after its data was delivered: how long to wait before passing the
    /// close on to the other side.
    virtual millis on_close(stream_dir dir, fast_rng& rng) {
        (void)dir, (void)rng;
        return millis{0};
    }

    toxic_direction direction() const noexcept { return direction_; }

  private:
    toxic_direction direction_;
};

}  // namespace switchyard::faults
