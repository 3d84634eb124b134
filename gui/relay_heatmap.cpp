#include "gui/relay_heatmap.hpp"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace switchyard::gui {

QColor heatColour(const QString& health, double load, const Theme& t) {
    if (health != QLatin1String("up"))
        return t.health(health);
    // Idle relays fade towards the panel colour, so the busy ones stand out; never all the way
    // (an idle relay that is up still reads as green).
    const double k = 0.25 + 0.75 * std::clamp(load, 0.0, 1.0);
    const QColor& a = t.panel;
    const QColor& b = t.up;
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * k),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * k),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * k));
}

HeatMap buildHeatMap(const std::vector<TopologyModel::Node>& relays, const Theme& t,
                     double aspect) {
    HeatMap m;
    const int n = static_cast<int>(relays.size());
    if (n == 0)
        return m;
    // Columns for about-square cells in a width:height = aspect area.
    m.columns =
        std::clamp(static_cast<int>(std::ceil(std::sqrt(n * std::max(aspect, 0.05)))), 1, n);
    m.rows = (n + m.columns - 1) / m.columns;

    std::int64_t upClients = 0;
    for (const auto& r : relays) {
        const QString h = TopologyModel::effectiveHealth(r);
        m.clients += r.clients;
        if (h == QLatin1String("up")) {
            ++m.up;
            upClients += r.clients;
        }
    }
    m.averageClients = m.up > 0 ? static_cast<double>(upClients) / m.up : 0;
    const double full = 2 * m.averageClients;

    m.cells.reserve(relays.size());
    for (const auto& r : relays) {
        HeatCell c;
        c.id = r.id;
        c.health = TopologyModel::effectiveHealth(r);
        c.clients = r.clients;
        c.load = full > 0 ? std::min(1.0, r.clients / full) : 0;
        c.failed = c.health == QLatin1String("down") && !r.drained;
        c.colour = heatColour(c.health, c.load, t);
        if (c.failed)
            m.failed << c.id;
        m.cells.push_back(std::move(c));
    }

    // The busiest: most clients first, ties by id so the names do not flicker.
    std::vector<int> order(m.cells.size());
    std::iota(order.begin(), order.end(), 0);
    const int named = std::min<int>(kBusiestNamed, n);
    std::partial_sort(order.begin(), order.begin() + named, order.end(), [&](int a, int b) {
        const auto& x = m.cells[static_cast<std::size_t>(a)];
        const auto& y = m.cells[static_cast<std::size_t>(b)];
        return x.clients != y.clients ? x.clients > y.clients : x.id < y.id;
    });
    const QLocale locale(QLocale::English);
    for (int i = 0; i < named; ++i) {
        auto& c = m.cells[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
        if (c.clients <= 0)
            break;  // nobody is busy: naming idle relays would say nothing
        c.busiest = true;
        m.busiest << c.id + QLatin1Char(' ') + locale.toString(c.clients);
    }
    return m;
}

}  // namespace switchyard::gui
