#pragma once
// The one door between the engine's threads and the UI thread: engine threads push events into
// a locked queue; a QTimer on the UI thread drains it in batches, so the UI never waits on the
// engine and a burst of thousands of events costs one model update, not thousands.
#include <QObject>
#include <QTimer>

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::events {
class event_stream;
}

namespace switchyard::gui {

/// Thread-safe event queue drained on the UI thread every `kDrainIntervalMs`.
///
/// Sampling: deliveries already arrive sampled from the engine; the pump additionally keeps at
/// most `kMaxSamplesPerBatch` delivery samples per drain (the animation cannot show more) and
/// never queues more than `kMaxQueuedEvents` (sampled events are dropped first, then the newest
/// events, and both are counted). Everything pushed is also kept, unsampled, in the session
/// record (bounded by `kMaxSessionEvents`) so a session can be saved as NDJSON and replayed.
class EventPump : public QObject {
    Q_OBJECT
  public:
    static constexpr int kDrainIntervalMs = 100;
    static constexpr std::size_t kMaxSamplesPerBatch = 64;
    static constexpr std::size_t kMaxQueuedEvents = 200'000;
    static constexpr std::size_t kMaxSessionEvents = 2'000'000;

    explicit EventPump(QObject* parent = nullptr);
    ~EventPump() override;

    /// Any thread. Cheap: one lock, one move.
    void push(events::event e);
    /// Subscribes to `stream` (events are pushed from the publishing thread). Replaces any
    /// earlier subscription; the stream must outlive the pump or `detach()` must be called.
    void attach(events::event_stream& stream);
    void detach();

    /// UI thread: drains now (tests and replay call it to avoid waiting for the timer).
    void drainNow();

    /// Events waiting for the next drain (a producer that can wait, like a simulation, holds
    /// back while this is large instead of making the pump shed).
    std::size_t queued() const;
    std::uint64_t droppedSamples() const;
    std::uint64_t droppedEvents() const;
    std::uint64_t batches() const { return batches_; }
    std::uint64_t delivered() const { return delivered_; }

    /// Copy of everything pushed so far (for "Save session").
    std::vector<events::event> session() const;
    void clearSession();

  Q_SIGNALS:
    /// UI thread, once per non-empty drain, events in publish order.
    void batchReady(const std::vector<switchyard::events::event>& batch);

  private:
    mutable std::mutex mutex_;
    std::vector<events::event> queue_;
    std::vector<events::event> session_;
    std::uint64_t droppedSamples_ = 0;
    std::uint64_t droppedEvents_ = 0;
    std::uint64_t batches_ = 0;
    std::uint64_t delivered_ = 0;
    QTimer timer_;
    events::event_stream* stream_ = nullptr;
    std::uint64_t subscription_ = 0;
};

}  // namespace switchyard::gui
