#pragma once
// Drawing the relay heat map (relay_heatmap.hpp decides what it shows): a summary line, the grid
// of cells, and the named relays underneath. Sizes are computed once per map so the scene can
// lay the picture out before painting.
#include <QPointF>
#include <QSizeF>
#include <QString>

#include "gui/relay_heatmap.hpp"

class QPainter;

namespace switchyard::gui {

inline constexpr double kHeatMapWidth = 300;

/// The summary line above the grid ("1,000 relays · 900 up · 100 failed · 1,000,000 clients").
QString heatMapSummary(const HeatMap& m);
/// Width kHeatMapWidth; the height fits the summary, the grid and the names.
QSizeF heatMapSize(const HeatMap& m);
/// Paints into the rectangle (0, 0, heatMapSize(m)).
void paintHeatMap(QPainter& p, const HeatMap& m, const Theme& t);
/// The relay whose cell is at `pos` (item coordinates), "" when none.
QString heatMapRelayAt(const HeatMap& m, QPointF pos);

}  // namespace switchyard::gui
