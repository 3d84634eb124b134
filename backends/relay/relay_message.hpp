#pragma once
// One channel message as the relay sends it: serialized once per relay, in each wire form
// lazily, and shared (never copied) by every session that delivers it.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "backends/bus/bus.hpp"
#include "backends/policy/hub.hpp"

namespace switchyard::relay {

/// The wire forms a session can need. Each is built at most once (thread-safe), and handed
/// out as a shared_ptr aliasing this object, so a queued frame keeps the message alive.
class relay_message : public policy::hub_payload,
                      public std::enable_shared_from_this<relay_message> {
  public:
    explicit relay_message(bus::message_ptr msg) : msg_(std::move(msg)) {}

    const bus::bus_message& bus_message() const noexcept { return *msg_; }
    std::uint64_t seq() const noexcept { return msg_->seq; }

    /// `{"type":"message",...}` (native) or the raw text (raw mode: a JSON string's text, any
    /// other data as JSON text).
    std::shared_ptr<const std::string> text(bool raw) const { return alias(text_bytes(raw)); }
    /// The same as one SockJS frame: `a["<text as JSON string>"]`.
    std::shared_ptr<const std::string> sockjs_frame(bool raw) const {
        return alias(sockjs_frame_bytes(raw));
    }
    /// A complete WebSocket text frame (header + payload) of text() or sockjs_frame(): server
    /// frames are unmasked, so these exact bytes go to every WebSocket client.
    std::shared_ptr<const std::string> ws_frame(bool raw, bool sockjs) const {
        return alias(ws_frame_bytes(raw, sockjs));
    }

    /// The bytes themselves (built on first use). A session that already holds a
    /// shared_ptr to the message makes its queue entry from that (one reference count
    /// increment per delivery): `std::shared_ptr<const std::string>(msg, &bytes)`.
    const std::string& text_bytes(bool raw) const;
    const std::string& sockjs_frame_bytes(bool raw) const;
    const std::string& ws_frame_bytes(bool raw, bool sockjs) const;

  private:
    // Built at most once: a ready flag read on every delivery (one acquire load), the mutex
    // only taken while building.
    struct form {
        mutable std::atomic<bool> ready{false};
        mutable std::string bytes;
    };
    template <class Make>
    const std::string& build(const form& f, Make&& make) const {
        if (!f.ready.load(std::memory_order_acquire)) {
            std::lock_guard lock(build_mutex_);
            if (!f.ready.load(std::memory_order_relaxed)) {
                make(f.bytes);
                f.ready.store(true, std::memory_order_release);
            }
        }
        return f.bytes;
    }
    std::shared_ptr<const std::string> alias(const std::string& s) const {
        return std::shared_ptr<const std::string>(shared_from_this(), &s);
    }
    bus::message_ptr msg_;
    mutable std::recursive_mutex build_mutex_;  // a form may build another (ws frame of text)
    form native_, raw_, sockjs_native_, sockjs_raw_;
    form ws_[4];
};

/// JSON string literal of `s` (quotes included).
std::string json_quote(std::string_view s);

}  // namespace switchyard::relay
