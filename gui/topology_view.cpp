#include "gui/topology_view.hpp"

#include <QContextMenuEvent>
#include <QGraphicsScene>
#include <QMouseEvent>

#include "gui/event_text.hpp"
#include "gui/heatmap_paint.hpp"
#include "gui/topology_items.hpp"
#include "gui/topology_model.hpp"

namespace switchyard::gui {

namespace {
constexpr qreal kRelaySpacing = 122;
constexpr qreal kCompactSpacing = 90;
constexpr qreal kTinySpacing = 72;
constexpr std::size_t kTinyFleetsAbove = 6;
constexpr qreal kFleetX = 0;
constexpr qreal kBalancerX = 270;
constexpr qreal kRelayX = 475;
constexpr qreal kRedisX = 775;
constexpr qreal kHeatRedisX = kRelayX + kHeatMapWidth + 90;
}  // namespace

TopologyView::TopologyView(TopologyModel& model, QWidget* parent)
    : QGraphicsView(parent), model_(model), scene_(new QGraphicsScene(this)) {
    setScene(scene_);
    setRenderHint(QPainter::Antialiasing);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setMinimumSize(420, 300);
    animation_.setInterval(kAnimationMs);
    connect(&animation_, &QTimer::timeout, this, &TopologyView::animate);
    connect(&model_, &QAbstractItemModel::modelReset, this, &TopologyView::rebuild);
    connect(&model_, &QAbstractItemModel::rowsInserted, this, &TopologyView::rebuild);
    // A fleet taking over the placeholder box is a rename: ids change, rows do not.
    connect(&model_, &QAbstractItemModel::layoutChanged, this, &TopologyView::rebuild);
    connect(
        &model_, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex& a, const QModelIndex& b) { onRowsChanged(a.row(), b.row()); });
    connect(&model_, &TopologyModel::faultsChanged, this, &TopologyView::refreshEdges);
    setTheme(theme_);
    rebuild();
}

void TopologyView::setTheme(const Theme& t) {
    theme_ = t;
    setBackgroundBrush(t.window);
    for (NodeItem* n : std::as_const(nodes_))
        n->setTheme(&theme_);
    for (EdgeItem* e : edges_)
        e->setTheme(&theme_);
    if (legend_)
        legend_->setTheme(&theme_);
    refreshHeatMap();  // its cell colours come from the theme
    viewport()->update();
}

void TopologyView::rebuild() {
    for (FlowDot* d : dots_)
        delete d;
    dots_.clear();
    animation_.stop();
    for (EdgeItem* e : edges_)
        delete e;
    edges_.clear();
    qDeleteAll(nodes_);
    nodes_.clear();
    delete legend_;
    legend_ = nullptr;
    heat_ = nullptr;
    int relayCount = 0;
    for (int r = 0; r < model_.rowCount(); ++r)
        relayCount += model_.node(r).kind == TopologyModel::Kind::Relay ? 1 : 0;
    const bool heatMap = useHeatMap(relayCount);
    if (heatMap) {
        heat_ = new NodeItem(TopologyModel::Kind::Relay, heatMapId());
        heat_->setTheme(&theme_);
        scene_->addItem(heat_);
        nodes_.insert(heat_->id(), heat_);
        refreshHeatMap();
    }
    for (int r = 0; r < model_.rowCount(); ++r) {
        const auto& n = model_.node(r);
        if (heatMap && n.kind == TopologyModel::Kind::Relay)
            continue;
        auto* item = new NodeItem(n.kind, n.id);
        item->setTheme(&theme_);
        item->setNode(n, TopologyModel::effectiveHealth(n));
        item->setSelectedRelay(n.id == selectedRelay_);
        scene_->addItem(item);
        nodes_.insert(n.id, item);
    }
    legend_ = new LegendItem;
    legend_->setTheme(&theme_);
    scene_->addItem(legend_);
    relayout();
}

QString TopologyView::heatMapId() {
    return QStringLiteral("#relays");
}

void TopologyView::refreshHeatMap() {
    if (!heat_)
        return;
    std::vector<TopologyModel::Node> relays;
    for (int r = 0; r < model_.rowCount(); ++r)
        if (model_.node(r).kind == TopologyModel::Kind::Relay)
            relays.push_back(model_.node(r));
    const auto before = heat_->size();
    heat_->setHeatMap(std::make_shared<const HeatMap>(buildHeatMap(relays, theme_)));
    // More names (a relay failed) make the item taller: the picture is laid out again.
    if (heat_->size() != before && legend_)
        relayout();
}

QString TopologyView::relayOf(NodeItem* n, QPointF scenePos) const {
    if (n == heat_)
        return heat_->relayAt(scenePos);
    return n->kind() == TopologyModel::Kind::Relay ? n->id() : QString();
}

void TopologyView::relayout() {
    std::vector<NodeItem*> relays;
    std::vector<NodeItem*> fleets;
    NodeItem* balancer = nullptr;
    NodeItem* redis = nullptr;
    for (int r = 0; r < model_.rowCount(); ++r) {
        NodeItem* item = nodes_.value(model_.node(r).id);
        if (!item)
            continue;  // a relay drawn in the heat map
        switch (item->kind()) {
            case TopologyModel::Kind::Fleet:
                fleets.push_back(item);
                break;
            case TopologyModel::Kind::Balancer:
                balancer = item;
                break;
            case TopologyModel::Kind::Redis:
                redis = item;
                break;
            case TopologyModel::Kind::Relay:
                if (item != heat_)
                    relays.push_back(item);
                break;
        }
    }
    if (heat_)
        relays = {heat_};
    // Past three relays the boxes shrink so the picture keeps a readable scale on a laptop.
    // Fleets stack the same way on the left, compact on their own count.
    const bool compact = relays.size() > 3;
    const qreal spacing = compact ? kCompactSpacing : kRelaySpacing;
    for (NodeItem* r : relays)
        if (r != heat_)
            r->setCompact(compact);
    // Past six fleets each is one line of counts over its placement bar: ten fleets of a
    // million clients stay beside the heat map instead of towering over it.
    const bool fleetsCompact = fleets.size() > 3;
    const bool fleetsTiny = fleets.size() > kTinyFleetsAbove;
    const qreal fleetSpacing = fleetsTiny      ? kTinySpacing
                               : fleetsCompact ? kCompactSpacing
                                               : kRelaySpacing;
    for (NodeItem* f : fleets) {
        f->setCompact(fleetsCompact);
        f->setTiny(fleetsTiny);
        f->setFleetAlone(fleets.size() == 1);
    }
    const qreal redisX = heat_ ? kHeatRedisX : kRedisX;
    const qreal relaysHeight =
        heat_ ? heat_->size().height() + 20 : static_cast<qreal>(relays.size()) * spacing;
    const qreal height = std::max(
        {3 * kRelaySpacing, relaysHeight, static_cast<qreal>(fleets.size()) * fleetSpacing});
    const qreal mid = height / 2;
    auto place = [&](NodeItem* item, qreal x) {
        if (item)
            item->setPos(x, mid - item->size().height() / 2);
    };
    place(balancer, kBalancerX);
    place(redis, redisX);
    auto stack = [&](const std::vector<NodeItem*>& items, qreal x, qreal step) {
        const qreal top = mid - static_cast<qreal>(items.size()) * step / 2;
        for (std::size_t i = 0; i < items.size(); ++i)
            items[i]->setPos(
                x, top + static_cast<qreal>(i) * step + (step - items[i]->size().height()) / 2);
    };
    stack(fleets, kFleetX, fleetSpacing);
    if (heat_)
        place(heat_, kRelayX);
    else
        stack(relays, kRelayX, spacing);

    for (EdgeItem* e : edges_)
        delete e;
    edges_.clear();
    auto addEdge = [&](NodeItem* a, NodeItem* b, const QString& link) {
        if (!a || !b)
            return;
        auto* e = new EdgeItem(a, b, link);
        e->setTheme(&theme_);
        scene_->addItem(e);
        edges_.push_back(e);
    };
    for (NodeItem* f : fleets)
        addEdge(f, balancer, QStringLiteral("client-balancer"));
    for (NodeItem* r : relays) {
        // The heat map's two edges carry every relay's traffic; no link is named by them.
        addEdge(balancer, r, r == heat_ ? QString() : QStringLiteral("balancer-") + r->id());
        addEdge(r, redis, r == heat_ ? QString() : r->id() + QStringLiteral("-redis"));
    }
    legend_->setPos(kFleetX, height + 14);
    scene_->setSceneRect(QRectF(-16, -16, redisX + 160 + 32, height + 14 + 22 + 28));
    refreshEdges();
    fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
}

void TopologyView::onRowsChanged(int first, int last) {
    bool relayChanged = false;
    for (int r = first; r <= last && r < model_.rowCount(); ++r) {
        const auto& n = model_.node(r);
        if (heat_ && n.kind == TopologyModel::Kind::Relay)
            relayChanged = true;
        else if (NodeItem* item = nodes_.value(n.id))
            item->setNode(n, TopologyModel::effectiveHealth(n));
    }
    // One map per batch however many relays changed (dataChanged comes per row).
    if (relayChanged && !heatRefreshPending_) {
        heatRefreshPending_ = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                heatRefreshPending_ = false;
                refreshHeatMap();
            },
            Qt::QueuedConnection);
    }
    refreshEdges();
}

void TopologyView::refreshEdges() {
    double deliveries = 0;
    int fleetClients = 0;
    for (int r = 0; r < model_.rowCount(); ++r) {
        if (model_.node(r).kind == TopologyModel::Kind::Relay)
            deliveries += model_.node(r).rate;
        else if (model_.node(r).kind == TopologyModel::Kind::Fleet)
            fleetClients += model_.node(r).clients;
    }
    const auto& faults = model_.faults();
    for (EdgeItem* e : edges_) {
        QString fault = faults.value(e->link());
        if (e->from()->kind() == TopologyModel::Kind::Fleet) {
            // Per-fleet traffic is not in the metrics: each fleet's edge takes its share of
            // the total by connected clients (the width is a picture, not a measurement).
            const int row = model_.rowOf(e->from()->id());
            const double share = fleetClients > 0 && row >= 0
                                     ? static_cast<double>(model_.node(row).clients) / fleetClients
                                     : 1.0;
            e->setTraffic((model_.publishesPerS() + deliveries) * share);
            if (fault.isEmpty())
                fault = faults.value(QStringLiteral("clients-balancer"));
        } else if (e->to() == heat_) {
            e->setTraffic(deliveries);
        } else if (e->to()->kind() == TopologyModel::Kind::Relay) {
            const int row = model_.rowOf(e->to()->id());
            e->setTraffic(row >= 0 ? model_.node(row).rate : 0);
        } else {
            e->setTraffic(model_.publishesPerS());
        }
        e->setFault(fault);
    }
}

void TopologyView::showDeliveries(const std::vector<events::delivery_sample>& samples) {
    NodeItem* anyFleet = nullptr;
    for (NodeItem* n : std::as_const(nodes_))
        if (n->kind() == TopologyModel::Kind::Fleet && (!anyFleet || n->id() < anyFleet->id()))
            anyFleet = n;
    NodeItem* balancer = nodes_.value(QStringLiteral("balancer"));
    NodeItem* redis = nodes_.value(QStringLiteral("redis"));
    if (!anyFleet || !balancer || !redis)
        return;
    for (const auto& s : samples) {
        if (static_cast<int>(dots_.size()) >= kMaxDots)
            break;
        NodeItem* to = heat_ ? heat_ : nodes_.value(qs(s.relay));
        if (!to)
            continue;
        NodeItem* from = nodes_.value(model_.relayOfClient(s.publisher), to);
        NodeItem* pubFleet = nodes_.value(model_.fleetOfClient(s.publisher), anyFleet);
        NodeItem* subFleet = nodes_.value(model_.fleetOfClient(s.client), anyFleet);
        // publisher's fleet -> balancer -> publisher's relay -> Redis -> delivering relay ->
        // balancer -> receiving client's fleet
        std::vector<QPointF> path{
            pubFleet->rightAnchor(), balancer->leftAnchor(), balancer->rightAnchor(),
            from->leftAnchor(),      from->rightAnchor(),    redis->leftAnchor(),
            to->rightAnchor(),       to->leftAnchor(),       balancer->rightAnchor(),
            balancer->leftAnchor(),  subFleet->rightAnchor()};
        auto* dot = new FlowDot(std::move(path), s.replayed ? theme_.failover : theme_.dot);
        scene_->addItem(dot);
        dots_.push_back(dot);
    }
    if (!dots_.empty() && !animation_.isActive())
        animation_.start();
}

void TopologyView::animate() {
    const double step = (kAnimationMs / 1000.0) / kDotTravelS;
    std::erase_if(dots_, [step](FlowDot* d) {
        if (d->advance(step))
            return false;
        delete d;
        return true;
    });
    if (dots_.empty())
        animation_.stop();
}

void TopologyView::resizeEvent(QResizeEvent* e) {
    QGraphicsView::resizeEvent(e);
    fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
}

QString TopologyView::edgeLinkAt(const QPoint& viewPos) const {
    for (QGraphicsItem* i : items(viewPos))
        if (i->type() == EdgeItem::Type)
            return static_cast<EdgeItem*>(i)->link();
    return {};
}

void TopologyView::contextMenuEvent(QContextMenuEvent* e) {
    for (QGraphicsItem* i : items(e->pos())) {
        if (i->type() != NodeItem::Type)
            continue;
        auto* n = static_cast<NodeItem*>(i);
        if (n->kind() == TopologyModel::Kind::Relay) {
            if (const QString relay = relayOf(n, mapToScene(e->pos())); !relay.isEmpty())
                Q_EMIT relayMenuRequested(relay, e->globalPos());
            return;
        }
        if (n->kind() == TopologyModel::Kind::Redis) {
            Q_EMIT redisMenuRequested(e->globalPos());
            return;
        }
    }
    if (const QString link = edgeLinkAt(e->pos()); !link.isEmpty())
        Q_EMIT linkMenuRequested(link, e->globalPos());
}

void TopologyView::mousePressEvent(QMouseEvent* e) {
    for (QGraphicsItem* i : items(e->pos())) {
        if (i->type() != NodeItem::Type)
            continue;
        auto* n = static_cast<NodeItem*>(i);
        if (n->kind() == TopologyModel::Kind::Relay) {
            const QString relay = relayOf(n, mapToScene(e->pos()));
            if (relay.isEmpty())
                break;
            selectedRelay_ = relay;
            for (NodeItem* other : std::as_const(nodes_))
                other->setSelectedRelay(other->id() == selectedRelay_);
            Q_EMIT relaySelected(selectedRelay_);
        }
        break;
    }
    QGraphicsView::mousePressEvent(e);
}

}  // namespace switchyard::gui
