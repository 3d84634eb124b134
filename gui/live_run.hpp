#pragma once
// An in-process scenario run: the engine runs on its own threads, publishes to its event
// stream (which feeds the pump) and takes hand actions through its run controller. Built
// against the engine's run API when it exists; otherwise every call reports that this build
// can only replay.
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

#include "gui/command_sink.hpp"
#include "gui/dashboard_models.hpp"
#include "gui/run_world.hpp"

namespace switchyard::gui {

class EventPump;

class LiveRun : public CommandSink {
  public:
    /// Whether this build can run scenarios in-process.
    static bool available();

    explicit LiveRun(EventPump& pump);
    ~LiveRun() override;

    /// The world the next `open` asks for (real by default).
    void setWorld(RunWorld w);
    /// The world of the open scenario: simulated when asked for, or when the real world cannot
    /// run the file (then `worldNote` says why).
    RunWorld world() const;
    QString worldNote() const;
    /// Simulation speed (virtual seconds per wall second, 0 = as fast as possible); any time.
    void setSpeed(double speed);

    /// Parses and validates a scenario file (does not start anything).
    bool open(const QString& path, QString* error);
    /// Starts the cluster and the run on engine threads; returns at once.
    bool start(QString* error);
    /// Asks the run to stop (clients close, partial reports); returns at once.
    void stop();
    bool running() const;
    /// Real world: freezes the scenario's timeline and countdown (traffic keeps flowing).
    /// Simulation: stops virtual time. `resume` undoes either.
    void pause();
    void resume();
    bool paused() const;

    /// Known from the scenario before the run: expectations and timeline actions.
    std::vector<std::pair<QString, QString>> expectations() const;
    std::vector<TimelineItem> plannedTimeline() const;
    /// A fleet's client count and publish rate per client from the scenario (the first fleet
    /// when `fleet` is empty or unknown; 0, 0 without a scenario).
    std::pair<std::uint32_t, double> fleetDefaults(const QString& fleet = {}) const;
    /// The scenario's fleet names, in its order.
    QStringList fleetNames() const;

    bool live() const override;
    void submit(const HandAction& a) override;

  private:
    struct impl;
    EventPump& pump_;
    std::unique_ptr<impl> impl_;
};

}  // namespace switchyard::gui
