#pragma once
// Which world runs a scenario opened in the dashboard: the real one (processes on this machine)
// or the simulated one (virtual time, any size). A file only the simulator can run opens in
// simulation instead of being refused, and the window says why.
#include <QString>
#include <QStringList>

namespace switchyard::gui {

enum class RunWorld { Real, Simulated };

struct WorldChoice {
    RunWorld world = RunWorld::Real;
    QString note;  ///< why the world differs from the one asked for ("" when it does not)
};

/// `realRefusals`: the reasons the real world cannot run the file (empty: it can).
WorldChoice chooseWorld(RunWorld requested, const QStringList& realRefusals);

/// The speeds offered for a simulation: real time, ten times, as fast as possible (0).
inline constexpr double kSimSpeeds[] = {1.0, 10.0, 0.0};

}  // namespace switchyard::gui
