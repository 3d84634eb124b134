#include "gui/heatmap_paint.hpp"

#include <QFontMetricsF>
#include <QLocale>
#include <QPainter>

#include <algorithm>

namespace switchyard::gui {

namespace {

constexpr double kMargin = 10;
constexpr double kStrip = 7;  // the health strip on the left, as on a relay box
constexpr double kTitleH = 36;
constexpr double kMaxCell = 16;
constexpr double kTextPt = 8;

double gridLeft() {
    return kStrip + kMargin;
}
double gridWidth() {
    return kHeatMapWidth - gridLeft() - kMargin;
}
double cellSize(const HeatMap& m) {
    return m.columns > 0 ? std::min(kMaxCell, gridWidth() / m.columns) : kMaxCell;
}

QString namesText(const HeatMap& m) {
    QString text;
    if (!m.busiest.isEmpty())
        text += QStringLiteral("Busiest: ") + m.busiest.join(QStringLiteral(" · "));
    if (!m.failed.isEmpty()) {
        if (!text.isEmpty())
            text += QLatin1Char('\n');
        text += QStringLiteral("Failed (%1): ").arg(m.failed.size()) +
                m.failed.join(QStringLiteral(", "));
    }
    return text;
}

QFont textFont() {
    QFont f;
    f.setPointSizeF(kTextPt);
    return f;
}

QRectF namesRect(const HeatMap& m) {
    const double top = kTitleH + m.rows * cellSize(m) + 8;
    const QFontMetricsF fm(textFont());
    const QRectF bound = fm.boundingRect(QRectF(gridLeft(), top, gridWidth(), 10'000),
                                         Qt::TextWordWrap | Qt::AlignLeft, namesText(m));
    return {gridLeft(), top, gridWidth(), bound.height()};
}

}  // namespace

QString heatMapSummary(const HeatMap& m) {
    const QLocale l(QLocale::English);
    QString s = QStringLiteral("%1 relays · %2 up")
                    .arg(l.toString(static_cast<int>(m.cells.size())), l.toString(m.up));
    if (!m.failed.isEmpty())
        s += QStringLiteral(" · %1 failed").arg(l.toString(static_cast<int>(m.failed.size())));
    return s + QStringLiteral(" · %1 clients").arg(l.toString(m.clients));
}

QSizeF heatMapSize(const HeatMap& m) {
    return {kHeatMapWidth, namesRect(m).bottom() + kMargin};
}

void paintHeatMap(QPainter& p, const HeatMap& m, const Theme& t) {
    const QSizeF size = heatMapSize(m);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(t.up, 2));
    p.setBrush(t.panel);
    p.drawRoundedRect(QRectF(QPointF(0, 0), size), 8, 8);
    p.setPen(Qt::NoPen);
    p.setBrush(m.failed.isEmpty() ? t.up : t.down);
    p.drawRoundedRect(QRectF(0, 0, kStrip, size.height()), 3, 3);

    QFont title = p.font();
    title.setBold(true);
    p.setFont(title);
    p.setPen(t.text);
    p.drawText(QRectF(gridLeft(), 4, gridWidth(), 16), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("Relays · heat map by clients"));
    QFont small = textFont();
    p.setFont(small);
    p.setPen(t.mutedText);
    p.drawText(QRectF(gridLeft(), 19, gridWidth(), 14), Qt::AlignLeft | Qt::AlignVCenter,
               heatMapSummary(m));

    // Cells: a gap of one pixel keeps neighbours apart when they share a colour.
    const double c = cellSize(m);
    const double gap = c >= 5 ? 1 : 0;
    for (std::size_t i = 0; i < m.cells.size(); ++i) {
        const HeatCell& cell = m.cells[i];
        const int col = static_cast<int>(i) % m.columns;
        const int row = static_cast<int>(i) / m.columns;
        const QRectF r(gridLeft() + col * c, kTitleH + row * c, c - gap, c - gap);
        p.fillRect(r, cell.colour);
        if (cell.failed) {
            // A cross as well as red: failure must not depend on telling colours apart.
            p.setPen(QPen(t.window, std::max(1.0, c / 6)));
            p.drawLine(r.topLeft(), r.bottomRight());
            p.drawLine(r.topRight(), r.bottomLeft());
        } else if (cell.busiest) {
            p.setPen(QPen(t.text, std::max(1.0, c / 6)));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
        }
    }
    p.setPen(t.text);
    p.drawText(namesRect(m), Qt::TextWordWrap | Qt::AlignLeft, namesText(m));
}

QString heatMapRelayAt(const HeatMap& m, QPointF pos) {
    const double c = cellSize(m);
    if (m.columns <= 0 || pos.x() < gridLeft() || pos.y() < kTitleH)
        return {};
    const int col = static_cast<int>((pos.x() - gridLeft()) / c);
    const int row = static_cast<int>((pos.y() - kTitleH) / c);
    if (col >= m.columns || row >= m.rows)
        return {};
    const std::size_t i = static_cast<std::size_t>(row * m.columns + col);
    return i < m.cells.size() ? m.cells[i].id : QString();
}

}  // namespace switchyard::gui
