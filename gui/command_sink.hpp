#pragma once
// Where the dashboard's hand actions go. The live implementation forwards them to the
// engine's run controller (which applies them on its own thread and publishes an
// action_applied event); without a live run they are still logged, as not applied, so every
// click is in the session's event log.
#include <QString>

#include <cstdint>
#include <string>

#include "engine/events/event.hpp"

namespace switchyard::gui {

class EventPump;

/// One hand action with its parameters; fields a kind does not use stay default.
struct HandAction {
    events::action_kind kind = events::action_kind::kill;
    QString target;           ///< relay id, link name or fleet name ("" where none applies)
    QString toxic;            ///< fault: "partition", "latency", ...
    int latencyMs = 0;        ///< fault latency: added delay in milliseconds
    int jitterMs = 0;         ///< fault latency: +/- jitter in milliseconds
    std::uint32_t count = 0;  ///< set_count: clients in the fleet
    double rate = 0;          ///< set_rate: publishes per second per client
};

/// Parameters as the event log writes them ("toxic=latency latency=200ms").
std::string actionDetail(const HandAction& a);
/// The action as an event (source "hand"), stamped `at`.
events::action_applied toEvent(const HandAction& a, events::micros at, bool ok, std::string error);

/// Interface: the one way the UI asks the engine to change a run.
class CommandSink {
  public:
    virtual ~CommandSink() = default;
    /// True while a live run accepts commands.
    virtual bool live() const = 0;
    /// Must not block the UI thread: implementations queue the command.
    virtual void submit(const HandAction& a) = 0;
};

/// Used while replaying or before a run: records the action as not applied.
class OfflineCommandSink : public CommandSink {
  public:
    explicit OfflineCommandSink(EventPump& pump) : pump_(pump) {}
    bool live() const override { return false; }
    void submit(const HandAction& a) override;
    /// Run-clock time stamped on logged actions (the replay position).
    void setNow(events::micros now) { now_ = now; }

  private:
    EventPump& pump_;
    events::micros now_{};
};

}  // namespace switchyard::gui
