#include "gui/event_pump.hpp"

#include "engine/events/event_stream.hpp"

namespace switchyard::gui {

EventPump::EventPump(QObject* parent) : QObject(parent) {
    timer_.setInterval(kDrainIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &EventPump::drainNow);
    timer_.start();
}

EventPump::~EventPump() {
    detach();
}

void EventPump::push(events::event e) {
    std::lock_guard lock(mutex_);
    if (session_.size() < kMaxSessionEvents)
        session_.push_back(e);
    if (queue_.size() >= kMaxQueuedEvents) {
        // The UI is far behind: keep state-changing events, shed the sampled ones.
        if (std::holds_alternative<events::delivery_sample>(e))
            ++droppedSamples_;
        else
            ++droppedEvents_;
        return;
    }
    queue_.push_back(std::move(e));
}

std::size_t EventPump::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void EventPump::attach(events::event_stream& stream) {
    detach();
    stream_ = &stream;
    subscription_ = stream.subscribe([this](const events::event& e) { push(e); });
}

void EventPump::detach() {
    if (stream_ != nullptr)
        stream_->unsubscribe(subscription_);
    stream_ = nullptr;
    subscription_ = 0;
}

void EventPump::drainNow() {
    std::vector<events::event> batch;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty())
            return;
        batch.swap(queue_);
    }
    // Thin the delivery samples evenly across the batch so the animation shows the whole
    // period, not its first few milliseconds.
    std::size_t samples = 0;
    for (const auto& e : batch)
        samples += std::holds_alternative<events::delivery_sample>(e) ? 1 : 0;
    if (samples > kMaxSamplesPerBatch) {
        std::vector<events::event> kept;
        kept.reserve(batch.size() - samples + kMaxSamplesPerBatch);
        std::size_t seen = 0;
        std::size_t taken = 0;
        for (auto& e : batch) {
            if (!std::holds_alternative<events::delivery_sample>(e)) {
                kept.push_back(std::move(e));
                continue;
            }
            // Keep sample number `seen` when it crosses the next evenly spaced slot.
            if ((seen * kMaxSamplesPerBatch) / samples >= taken && taken < kMaxSamplesPerBatch) {
                kept.push_back(std::move(e));
                ++taken;
            }
            ++seen;
        }
        {
            std::lock_guard lock(mutex_);
            droppedSamples_ += samples - taken;
        }
        batch.swap(kept);
    }
    ++batches_;
    delivered_ += batch.size();
    Q_EMIT batchReady(batch);
}

std::uint64_t EventPump::droppedSamples() const {
    std::lock_guard lock(mutex_);
    return droppedSamples_;
}

std::uint64_t EventPump::droppedEvents() const {
    std::lock_guard lock(mutex_);
    return droppedEvents_;
}

std::vector<events::event> EventPump::session() const {
    std::lock_guard lock(mutex_);
    return session_;
}

void EventPump::clearSession() {
    std::lock_guard lock(mutex_);
    session_.clear();
}

}  // namespace switchyard::gui
