#include "gui/topology_items.hpp"

#include <QPainter>

#include <cmath>

#include "gui/event_text.hpp"
#include "gui/heatmap_paint.hpp"

namespace switchyard::gui {

namespace {

const Theme& fallbackTheme() {
    static const Theme t = Theme::darkTheme();
    return t;
}

QString title(TopologyModel::Kind k, const QString& id) {
    switch (k) {
        case TopologyModel::Kind::Fleet:
            return id == TopologyModel::defaultFleetId() ? QStringLiteral("Clients")
                                                         : QStringLiteral("Clients · ") + id;
        case TopologyModel::Kind::Balancer:
            return QStringLiteral("Balancer");
        case TopologyModel::Kind::Redis:
            return QStringLiteral("Redis bus");
        case TopologyModel::Kind::Relay:
            return id;
    }
    return id;
}

}  // namespace

// NodeItem ------------------------------------------------------------------------------------

NodeItem::NodeItem(TopologyModel::Kind kind, QString id) : kind_(kind), id_(std::move(id)) {
    node_.id = id_;
    node_.kind = kind;
    setZValue(2);
}

void NodeItem::setHeatMap(std::shared_ptr<const HeatMap> m) {
    prepareGeometryChange();
    heat_ = std::move(m);
    heatSize_ = heat_ ? heatMapSize(*heat_) : QSizeF();
    update();
}

QString NodeItem::relayAt(QPointF scenePos) const {
    return heat_ ? heatMapRelayAt(*heat_, mapFromScene(scenePos)) : QString();
}

QSizeF NodeItem::size() const {
    if (heat_)
        return heatSize_;
    switch (kind_) {
        case TopologyModel::Kind::Relay:
            return {226, compact_ ? 80.0 : 104.0};
        case TopologyModel::Kind::Fleet:
            return {226, tiny_ ? 64.0 : compact_ ? 80.0 : 104.0};
        default:
            return {160, 96};
    }
}

QRectF NodeItem::boundingRect() const {
    return QRectF(QPointF(-3, -3), size() + QSizeF(6, 6));
}

void NodeItem::setNode(const TopologyModel::Node& n, const QString& health) {
    node_ = n;
    health_ = health;
    update();
}

QStringList NodeItem::lines() const {
    QStringList out;
    if (heat_) {
        out << QStringLiteral("Relays · heat map by clients") << heatMapSummary(*heat_);
        if (!heat_->busiest.isEmpty())
            out << QStringLiteral("Busiest: ") + heat_->busiest.join(QStringLiteral(" · "));
        if (!heat_->failed.isEmpty())
            out << QStringLiteral("Failed (%1): ").arg(heat_->failed.size()) +
                       heat_->failed.join(QStringLiteral(", "));
        return out;
    }
    out << title(kind_, id_);
    switch (kind_) {
        case TopologyModel::Kind::Fleet:
            if (tiny_) {
                // The small box has room for short numbers only ("100k connected").
                out << QStringLiteral("%1 connected · %2 reconnects")
                           .arg(compact(node_.clients))
                           .arg(compact(node_.reconnects));
                break;
            }
            out << QStringLiteral("%1 connected · %2 reconnects")
                       .arg(node_.clients)
                       .arg(node_.reconnects);
            // Metrics give the publish rate of all fleets together: shown only when this is
            // the only fleet; otherwise the failed connects (per fleet) take the line.
            out << (fleetAlone_ ? QStringLiteral("%1 msg/s published · %2 failed")
                                      .arg(compact(node_.rate))
                                      .arg(node_.connectFailures)
                                : QStringLiteral("%1 failed connects").arg(node_.connectFailures));
            if (!compact_)
                out << QStringLiteral("sticky %1 · fresh %2 · failover %3")
                           .arg(node_.placement[TopologyModel::PlacementSticky])
                           .arg(node_.placement[TopologyModel::PlacementFresh])
                           .arg(node_.placement[TopologyModel::PlacementFailover]);
            break;
        case TopologyModel::Kind::Relay:
            out << QStringLiteral("%1%2").arg(
                       health_.toUpper(),
                       node_.process.isEmpty() || node_.process == health_
                           ? QString()
                           : QStringLiteral(" · ") + TopologyModel::processText(node_))
                << QStringLiteral("%1 clients · %2 msg/s out")
                       .arg(node_.clients)
                       .arg(compact(node_.rate));
            if (!compact_)
                out << QStringLiteral("sticky %1 · fresh %2 · failover %3")
                           .arg(node_.placement[TopologyModel::PlacementSticky])
                           .arg(node_.placement[TopologyModel::PlacementFresh])
                           .arg(node_.placement[TopologyModel::PlacementFailover]);
            break;
        default:
            out << QStringLiteral("%1%2").arg(
                       health_.toUpper(),
                       node_.process.isEmpty() ? QString() : QStringLiteral(" · ") + node_.process)
                << (kind_ == TopologyModel::Kind::Redis
                        ? QStringLiteral("fan-out %1 msg/s").arg(compact(node_.rate))
                        : QStringLiteral("%1 msg/s in").arg(compact(node_.rate)));
            // A restart is over before anyone sees it red: say how long it was gone.
            if (node_.lastOutageS >= 0)
                out << QStringLiteral("outage %1 at %2 s")
                           .arg(node_.lastOutageS < 10
                                    ? QString::number(node_.lastOutageS * 1000, 'f', 0) +
                                          QStringLiteral(" ms")
                                    : QString::number(node_.lastOutageS, 'f', 1) +
                                          QStringLiteral(" s"))
                           .arg(node_.lastOutageAtS, 0, 'f', 1);
            break;
    }
    return out;
}

void NodeItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    const Theme& t = theme_ ? *theme_ : fallbackTheme();
    if (heat_) {
        paintHeatMap(*p, *heat_, t);
        return;
    }
    const QRectF r(QPointF(0, 0), size());
    const bool showsHealth = kind_ != TopologyModel::Kind::Fleet;
    const QColor accent = showsHealth ? t.health(health_) : t.sticky;
    p->setRenderHint(QPainter::Antialiasing);
    QColor fill = t.panel;
    if (showsHealth && health_ != QLatin1String("up"))
        fill = QColor::fromRgbF(fill.redF() * 0.8 + accent.redF() * 0.2,
                                fill.greenF() * 0.8 + accent.greenF() * 0.2,
                                fill.blueF() * 0.8 + accent.blueF() * 0.2);
    p->setPen(QPen(selected_ ? t.text : accent, selected_ ? 3 : 2));
    p->setBrush(fill);
    p->drawRoundedRect(r, 8, 8);
    // Health strip on the left edge so the colour reads even when the text is small.
    p->setPen(Qt::NoPen);
    p->setBrush(accent);
    p->drawRoundedRect(QRectF(0, 0, 7, r.height()), 3, 3);

    const QStringList text = lines();
    QFont f = p->font();
    f.setPixelSize(14);
    f.setBold(true);
    p->setFont(f);
    p->setPen(t.text);
    const qreal x = 14;
    p->drawText(QRectF(x, 6, r.width() - x - 4, 20), Qt::AlignLeft | Qt::AlignVCenter,
                text.value(0));
    f.setPixelSize(12);
    f.setBold(false);
    p->setFont(f);
    qreal y = 27;
    for (int i = 1; i < text.size(); ++i) {
        p->setPen(i == 1 && showsHealth ? accent : (i == 1 ? t.text : t.mutedText));
        if (i == 1 && showsHealth) {
            QFont b = f;
            b.setBold(true);
            p->setFont(b);
        } else {
            p->setFont(f);
        }
        p->drawText(QRectF(x, y, r.width() - x - 4, 17), Qt::AlignLeft | Qt::AlignVCenter, text[i]);
        y += 17;
    }
    if (kind_ == TopologyModel::Kind::Relay || kind_ == TopologyModel::Kind::Fleet) {
        // Placement mix as a stacked bar: sticky / fresh / failover.
        const QRectF bar(x, r.height() - 14, r.width() - x - 10, 7);
        const int total = node_.placement[0] + node_.placement[1] + node_.placement[2];
        p->setBrush(t.grid);
        p->drawRect(bar);
        if (total > 0) {
            qreal bx = bar.left();
            const QColor colors[] = {t.sticky, t.fresh, t.failover};
            for (int i = 0; i < TopologyModel::PlacementCount; ++i) {
                const qreal w = bar.width() * node_.placement[static_cast<std::size_t>(i)] / total;
                p->setBrush(colors[i]);
                p->drawRect(QRectF(bx, bar.top(), w, bar.height()));
                bx += w;
            }
        }
    }
}

// EdgeItem ------------------------------------------------------------------------------------

EdgeItem::EdgeItem(NodeItem* from, NodeItem* to, QString link)
    : from_(from), to_(to), link_(std::move(link)) {
    setZValue(1);
    adjust();
}

double EdgeItem::width() const {
    return std::min(12.0, 1.5 + 2.2 * std::log10(1.0 + traffic_));
}

void EdgeItem::adjust() {
    prepareGeometryChange();
    a_ = from_->rightAnchor();
    b_ = to_->leftAnchor();
}

void EdgeItem::setTraffic(double perSecond) {
    if (std::abs(perSecond - traffic_) < 1e-9)
        return;
    prepareGeometryChange();
    traffic_ = perSecond;
    update();
}

void EdgeItem::setFault(const QString& fault) {
    if (fault == fault_)
        return;
    prepareGeometryChange();
    fault_ = fault;
    // A faulted edge and its label draw above the boxes so the label is never hidden.
    setZValue(fault_.isEmpty() ? 1 : 4);
    update();
}

QRectF EdgeItem::boundingRect() const {
    return QRectF(a_, b_).normalized().adjusted(-130, -30, 130, 20);
}

QPainterPath EdgeItem::shape() const {
    QPainterPath path(a_);
    path.lineTo(b_);
    QPainterPathStroker s;
    s.setWidth(std::max(10.0, width() + 6));
    return s.createStroke(path);
}

void EdgeItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    const Theme& t = theme_ ? *theme_ : fallbackTheme();
    p->setRenderHint(QPainter::Antialiasing);
    QPen pen(fault_.isEmpty() ? t.edge : t.fault, width());
    pen.setCapStyle(Qt::RoundCap);
    if (!fault_.isEmpty())
        pen.setStyle(Qt::DashLine);
    p->setPen(pen);
    p->drawLine(a_, b_);
    if (!fault_.isEmpty()) {
        QFont f = p->font();
        f.setPixelSize(11);
        f.setBold(true);
        p->setFont(f);
        const QPointF mid = (a_ + b_) / 2;
        const QString label = QStringLiteral("⚡ ") + fault_;
        const qreal w = p->fontMetrics().horizontalAdvance(label) + 10;
        const QRectF box(mid.x() - w / 2, mid.y() - 24, w, 17);
        p->setPen(Qt::NoPen);
        p->setBrush(t.window);
        p->drawRoundedRect(box, 3, 3);
        p->setPen(t.fault);
        p->drawText(box, Qt::AlignCenter, label);
    }
}

// FlowDot -------------------------------------------------------------------------------------

FlowDot::FlowDot(std::vector<QPointF> path, QColor color)
    : path_(std::move(path)), color_(std::move(color)) {
    setZValue(3);
    cumulative_.push_back(0);
    for (std::size_t i = 1; i < path_.size(); ++i)
        cumulative_.push_back(cumulative_.back() + QLineF(path_[i - 1], path_[i]).length());
    if (!path_.empty())
        setPos(path_.front());
}

QRectF FlowDot::boundingRect() const {
    return QRectF(-5, -5, 10, 10);
}

void FlowDot::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    p->setRenderHint(QPainter::Antialiasing);
    p->setPen(Qt::NoPen);
    p->setBrush(color_);
    p->drawEllipse(QPointF(0, 0), 4, 4);
}

bool FlowDot::advance(double fraction) {
    progress_ += fraction;
    if (progress_ >= 1.0 || path_.size() < 2)
        return false;
    const double d = progress_ * cumulative_.back();
    std::size_t i = 1;
    while (i + 1 < cumulative_.size() && cumulative_[i] < d)
        ++i;
    const double seg = cumulative_[i] - cumulative_[i - 1];
    const double f = seg > 0 ? (d - cumulative_[i - 1]) / seg : 0;
    setPos(path_[i - 1] + (path_[i] - path_[i - 1]) * f);
    return true;
}

// LegendItem ----------------------------------------------------------------------------------

QRectF LegendItem::boundingRect() const {
    return QRectF(0, 0, 760, 22);
}

void LegendItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    const Theme& t = theme_ ? *theme_ : fallbackTheme();
    p->setRenderHint(QPainter::Antialiasing);
    QFont f = p->font();
    f.setPixelSize(11);
    p->setFont(f);
    const std::pair<QColor, QString> entries[] = {{t.up, QStringLiteral("up")},
                                                  {t.suspect, QStringLiteral("suspect")},
                                                  {t.down, QStringLiteral("down")},
                                                  {t.draining, QStringLiteral("draining")},
                                                  {t.sticky, QStringLiteral("sticky")},
                                                  {t.fresh, QStringLiteral("fresh")},
                                                  {t.failover, QStringLiteral("failover")},
                                                  {t.dot, QStringLiteral("sampled delivery")},
                                                  {t.fault, QStringLiteral("fault on link")}};
    qreal x = 0;
    for (const auto& [color, label] : entries) {
        p->setPen(Qt::NoPen);
        p->setBrush(color);
        p->drawRoundedRect(QRectF(x, 6, 11, 11), 2, 2);
        p->setPen(t.mutedText);
        const qreal w = p->fontMetrics().horizontalAdvance(label);
        p->drawText(QRectF(x + 15, 0, w + 4, 22), Qt::AlignLeft | Qt::AlignVCenter, label);
        x += 15 + w + 16;
    }
}

}  // namespace switchyard::gui
