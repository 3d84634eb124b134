#include "gui/run_world.hpp"

namespace switchyard::gui {

WorldChoice chooseWorld(RunWorld requested, const QStringList& realRefusals) {
    if (requested == RunWorld::Simulated || realRefusals.isEmpty())
        return {requested, {}};
    return {RunWorld::Simulated,
            QStringLiteral("opened in simulation: the real world cannot run this file (%1)")
                .arg(realRefusals.join(QStringLiteral("; ")))};
}

}  // namespace switchyard::gui
