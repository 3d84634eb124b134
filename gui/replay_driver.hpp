#pragma once
// Plays a recorded NDJSON event log back into the event pump at a chosen speed, so a replay
// takes exactly the path a live run takes.
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::gui {

class EventPump;

/// Replay clock: run time advances by wall time × speed (speed 0 = as fast as possible).
/// Events are pushed in file order once their timestamp is reached; a file whose timestamps
/// go backwards still replays in file order.
class ReplayDriver : public QObject {
    Q_OBJECT
  public:
    static constexpr int kTickMs = 20;
    static constexpr double kMaxSpeed = 1000.0;
    /// Past this many events waiting in the pump a tick stops pushing (the rest follow at the
    /// next ticks), so a log of millions of events is applied whole, not shed.
    static constexpr std::size_t kMaxBacklog = 100'000;

    ReplayDriver(EventPump& pump, QObject* parent = nullptr);

    /// Reads a whole NDJSON file; on failure returns false and sets `error` (with the line).
    bool load(const QString& path, QString* error);
    void setEvents(std::vector<events::event> events);
    const std::vector<events::event>& events() const { return events_; }

    void play();
    void pause();
    /// Rewinds to the start without playing.
    void rewind();
    /// Pushes every event up to run time `seconds` at once and stays paused there.
    void advanceTo(double seconds);
    void setSpeed(double speed);
    double speed() const { return speed_; }
    bool playing() const { return timer_.isActive(); }
    bool finished() const { return next_ >= events_.size(); }
    /// Replay position on the run clock, seconds.
    double position() const { return position_; }
    /// Time of the last event, seconds.
    double length() const;
    std::size_t pushed() const { return next_; }

  Q_SIGNALS:
    void progressed(double position);
    void finishedPlaying();

  private:
    void tick();

    EventPump& pump_;
    std::vector<events::event> events_;
    std::size_t next_ = 0;
    double position_ = 0;
    double speed_ = 1.0;
    double length_ = 0;
    QTimer timer_;
    QElapsedTimer wall_;
};

}  // namespace switchyard::gui
