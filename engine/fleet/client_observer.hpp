#pragma once
// What synthetic clients report, and to whom: the seam between the fleet (real sockets or the
// simulator) and everything that watches it (ledger, event stream, reports, GUI).
#include <chrono>
#include <cstdint>
#include <string>

namespace switchyard::fleet {

/// Microseconds on the engine's clock (steady, shared by every client in a run; virtual in sim).
using micros = std::chrono::microseconds;

/// How a client came to be on the relay it reached (read from the balancer's cookie handling).
enum class placement : std::uint8_t {
    fresh,     ///< no cookie was sent: the balancer chose
    sticky,    ///< the cookie was honoured: same relay as before
    failover,  ///< a cookie was sent but the client landed elsewhere (its relay was gone)
};

struct connect_record {
    std::uint32_t client;  ///< index of the client in the run (fleet order)
    std::string relay;     ///< server id from the relay's hello
    placement how;
    bool reconnect;  ///< false for the first connection of this client
    micros at;
    std::string fleet{};  ///< name of the client's fleet (from the scenario)
};

struct disconnect_record {
    std::uint32_t client;
    std::string relay;
    std::string reason;  ///< close code and text, or the transport error
    micros at;
    std::string fleet{};  ///< name of the client's fleet
};

struct connect_failure_record {
    std::uint32_t client;
    std::string reason;  ///< e.g. "HTTP 502", "connection refused", "timeout"
    micros at;
    std::string fleet{};  ///< name of the client's fleet
};

/// A publish the client sent. `msg_id` is unique in the run: "<client>-<n>".
struct publish_record {
    std::uint32_t client;
    std::string channel;
    std::string msg_id;
    micros sent_at;
};

/// The relay acknowledged a publish with a sequence number, or refused it (`seq` = 0, `error`).
struct ack_record {
    std::uint32_t client;
    std::string msg_id;
    std::uint64_t seq;
    std::string error;
    micros at;
};

/// A message the client received.
struct delivery_record {
    std::uint32_t client;
    std::string relay;  ///< relay the client was on when it received it
    std::string channel;
    std::uint64_t seq;        ///< 0 when the transport carries no sequence (raw SockJS)
    std::string msg_id;       ///< the publisher's msg_id carried in the data
    std::uint32_t publisher;  ///< publishing client's index (parsed from the data)
    micros sent_at;           ///< publisher's send time carried in the data
    micros received_at;
    bool replayed;  ///< came from history during resume
};

/// A resume that could not be served in full (the history did not reach back).
struct resume_gap_record {
    std::uint32_t client;
    std::string channel;
    std::uint64_t requested;
    std::uint64_t oldest;
    micros at;
};

/// Receives every report from every client. Calls come from fleet threads, possibly several at
/// once: implementations must be thread-safe and fast (a delivery is the hot path; do no I/O).
class client_observer {
  public:
    virtual ~client_observer() = default;
    virtual void on_connect(const connect_record&) = 0;
    virtual void on_disconnect(const disconnect_record&) = 0;
    virtual void on_connect_failure(const connect_failure_record&) = 0;
    virtual void on_publish(const publish_record&) = 0;
    virtual void on_ack(const ack_record&) = 0;
    virtual void on_delivery(const delivery_record&) = 0;
    virtual void on_resume_gap(const resume_gap_record&) = 0;
};

}  // namespace switchyard::fleet
