#pragma once
// The seam between a synthetic client and the wire: a transport carries native protocol frames
// (JSON text) over /ws or one of the SockJS transports, and reports what arrives. One instance
// per connection attempt; the client makes a new one to reconnect.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/fast_rng.hpp"
#include "engine/fleet/client_observer.hpp"
#include "engine/fleet/cookie_jar.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/fleet/target_address.hpp"

namespace switchyard::fleet {

/// Counters one fleet shares across threads (relaxed atomics: they are statistics).
struct fleet_shared_counters {
    std::atomic<std::uint64_t> clients_target{0}, alive{0}, connected{0}, connects{0},
        reconnects{0}, connect_failures{0}, disconnects{0}, publishes{0}, acks{0},
        publish_errors{0}, deliveries{0}, replayed{0}, resume_gaps{0}, bytes_in{0}, bytes_out{0};
};

/// One fleet as one thread sees it. `config` is this thread's copy: runtime changes are posted
/// to the thread and applied here, so clients read it without locks.
struct fleet_slot {
    fleet_config config;
    target_address target;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;  ///< resolved once at construction
    fleet_shared_counters* counters = nullptr;
    std::size_t index = 0;
};

/// What every client on one thread shares.
struct worker_context {
    worker_context(client_observer& obs, std::chrono::steady_clock::time_point ep,
                   std::uint64_t seed);
    boost::asio::io_context io{1};
    boost::asio::ssl::context tls_insecure;  ///< no certificate verification
    boost::asio::ssl::context tls_verified;  ///< system trust store, peer verified
    policy::fast_rng rng;
    client_observer& observer;
    std::chrono::steady_clock::time_point epoch;

    micros now() const noexcept {
        return std::chrono::duration_cast<micros>(std::chrono::steady_clock::now() - epoch);
    }
};

/// What a transport reports to its client. Never called after client_transport::close().
class client_transport_events {
  public:
    virtual ~client_transport_events() = default;
    /// One native protocol frame (JSON text).
    virtual void on_transport_frame(std::string_view frame) = 0;
    /// The connection is gone (called at most once); `reason` for the reports.
    virtual void on_transport_closed(std::string_view reason) = 0;
    /// Application bytes moved, for the counters.
    virtual void on_transport_bytes(std::size_t in, std::size_t out) = 0;
};

/// Everything a transport needs to start.
struct transport_params {
    worker_context* worker = nullptr;
    fleet_slot* fleet = nullptr;
    client_transport_events* events = nullptr;
    cookie_jar* jar = nullptr;  ///< read for every request, written from every Set-Cookie
    std::string client_id;      ///< "c-<index>", sent as ?client=
};

/// Contract: start() once; send() any time after start (frames queue until the transport is
/// open, in order); close() stops every callback at once and releases the sockets (gracefully
/// when it can: a WebSocket close frame). The transport keeps itself alive while operations
/// are pending (shared_from_this), so the client may drop its pointer right after close().
class client_transport {
  public:
    virtual ~client_transport() = default;
    virtual void start() = 0;
    virtual void send(std::string frame) = 0;
    virtual void close(bool graceful) = 0;
};

/// The first frame a SockJS session sends in native mode: any native frame switches the session
/// to native mode and is answered with hello; a ping is harmless.
inline constexpr std::string_view sockjs_native_opener = R"({"type":"ping","id":"open"})";

/// What one SockJS frame asks of the transport that read it (sockjs-ws, xhr-polling and
/// xhr-streaming read the same frames and differ only in what they do about these two).
struct sockjs_frame_result {
    bool opened = false;  ///< an `o`: the session is open, send sockjs_native_opener first
    std::string failure;  ///< a `c[code,reason]` or a frame that is not SockJS: end with this
};

/// Handles one SockJS frame: `a[...]` messages go to `params.events` one at a time (stopping as
/// soon as the transport is closed: `closed` and `params.events` are read again after each,
/// because a message may make the client close), heartbeats count for nothing; an open, a
/// close or a bad frame is returned for the transport to act on.
sockjs_frame_result dispatch_sockjs_frame(std::string_view text, const transport_params& params,
                                          const bool& closed);

/// The transport for `params.fleet->config.kind` over plain TCP or TLS (from the target URL).
std::shared_ptr<client_transport> make_transport(transport_params params);

}  // namespace switchyard::fleet
