#pragma once
// The relays as a heat map, for clusters too large for one box per relay (1,000 relays): one
// cell per relay in a grid, coloured by health and, for relays that are up, by load; the
// busiest few and every failed one named beside it. This file decides the cells, colours and
// names from the topology model's rows; topology_items draws them.
#include <QColor>
#include <QString>
#include <QStringList>

#include <vector>

#include "gui/theme.hpp"
#include "gui/topology_model.hpp"

namespace switchyard::gui {

/// Past this many relays the topology draws the heat map instead of one box per relay.
inline constexpr int kHeatMapAboveRelays = 24;
/// How many of the busiest relays are named.
inline constexpr int kBusiestNamed = 5;

inline bool useHeatMap(int relayCount) {
    return relayCount > kHeatMapAboveRelays;
}

struct HeatCell {
    QString id;
    QString health;  ///< TopologyModel::effectiveHealth
    int clients = 0;
    /// Clients relative to twice the average of the relays that are up, in [0, 1]: an even
    /// spread sits mid-scale, a relay with twice its share or more is full scale.
    double load = 0;
    QColor colour;
    bool failed = false;   ///< down, and not because a drain ended it
    bool busiest = false;  ///< one of the kBusiestNamed with the most clients
};

struct HeatMap {
    std::vector<HeatCell> cells;  ///< in model row order
    int columns = 0;
    int rows = 0;
    /// "relay-17 1,234" for the busiest, most clients first (ties by id).
    QStringList busiest;
    /// Every failed relay's id, in row order.
    QStringList failed;
    int up = 0;
    int clients = 0;
    double averageClients = 0;  ///< over relays that are up
};

/// Up relays: the theme's "up" colour from dim (idle) to full (load 1). Any other health: its
/// theme colour, whatever the load.
QColor heatColour(const QString& health, double load, const Theme& t);

/// Builds the map of `relays` (nodes of kind Relay). `aspect` is width / height of the area the
/// grid fills; columns are chosen so cells come out about square.
HeatMap buildHeatMap(const std::vector<TopologyModel::Node>& relays, const Theme& t,
                     double aspect = 1.0);

}  // namespace switchyard::gui
