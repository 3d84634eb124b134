#pragma once
// Colours and palettes for the dark and the light theme, in one place so the topology, the
// charts, the timeline and the tables agree on what "down" looks like.
#include <QColor>
#include <QString>

class QApplication;

namespace switchyard::gui {

/// One theme's colours. Health colours are always paired with text in the views, so nothing
/// depends on telling red from green.
struct Theme {
    bool dark = true;
    QColor window, panel, text, mutedText, grid;
    QColor up, suspect, down, draining, unknown;
    QColor sticky, fresh, failover;
    QColor published, delivered, p50, p99, ratio, reconnects, failures;
    QColor fault, action, edge, dot;

    static Theme darkTheme();
    static Theme lightTheme();

    /// Colour for a health word ("up", "suspect", "down", "draining", anything else grey).
    QColor health(const QString& word) const;
    /// Applies the Fusion style and this theme's palette to the whole application.
    void applyTo(QApplication& app) const;
    /// A stable colour for series number `i` (relays in the clients-per-relay chart).
    QColor seriesColor(int i) const;
};

}  // namespace switchyard::gui
