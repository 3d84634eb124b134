#include "gui/topology_model.hpp"

#include <QColor>

#include "gui/event_text.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

namespace {

const QString kFleetId = QStringLiteral("clients");
const QString kBalancerId = QStringLiteral("balancer");
const QString kRedisId = QStringLiteral("redis");

QString kindName(TopologyModel::Kind k) {
    switch (k) {
        case TopologyModel::Kind::Fleet:
            return QStringLiteral("clients");
        case TopologyModel::Kind::Balancer:
            return QStringLiteral("balancer");
        case TopologyModel::Kind::Relay:
            return QStringLiteral("relay");
        case TopologyModel::Kind::Redis:
            return QStringLiteral("redis");
    }
    return {};
}

int placementIndex(const std::string& p) {
    if (p == "sticky")
        return TopologyModel::PlacementSticky;
    if (p == "failover")
        return TopologyModel::PlacementFailover;
    return TopologyModel::PlacementFresh;
}

}  // namespace

TopologyModel::TopologyModel(QObject* parent) : QAbstractTableModel(parent) {
    reset();
}

void TopologyModel::reset() {
    beginResetModel();
    nodes_.clear();
    rowById_.clear();
    clients_.clear();
    faults_.clear();
    dirty_.clear();
    publishesPerS_ = 0;
    fleetCount_ = 0;
    placeholderRow_ = -1;
    // The fixed parts of every cluster are present from the start so the picture has a shape
    // before the first event; relays appear as they are started.
    auto add = [this](const QString& id, Kind kind) {
        rowById_.insert(id, static_cast<int>(nodes_.size()));
        nodes_.push_back(Node{.id = id, .kind = kind});
    };
    if (knownFleets_.isEmpty()) {
        placeholderRow_ = 0;
        add(kFleetId, Kind::Fleet);
        fleetCount_ = 1;
    }
    for (const QString& f : knownFleets_) {
        if (!rowById_.contains(f) && f != kBalancerId && f != kRedisId) {
            add(f, Kind::Fleet);
            ++fleetCount_;
        }
    }
    add(kBalancerId, Kind::Balancer);
    add(kRedisId, Kind::Redis);
    endResetModel();
    Q_EMIT faultsChanged();
}

int TopologyModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(nodes_.size());
}

int TopologyModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString TopologyModel::effectiveHealth(const Node& n) {
    if (n.process == QLatin1String("killed") || n.process == QLatin1String("exited") ||
        n.process == QLatin1String("failed"))
        return QStringLiteral("down");
    if (n.process == QLatin1String("draining"))
        return QStringLiteral("draining");
    // A relay the balancer knows but nobody started yet (a spare for "add relay"). Whatever
    // the balancer says (a fault proxy in front of it may even answer its checks), no relay
    // process serves there.
    if (n.kind == Kind::Relay && (n.process.isEmpty() || n.process == QLatin1String("pending")))
        return QStringLiteral("spare");
    // A SIGSTOPped process serves nothing, even while the balancer still counts it up.
    if (n.process == QLatin1String("stopped") && n.lbHealth != QLatin1String("down"))
        return QStringLiteral("suspect");
    if (!n.lbHealth.isEmpty())
        return n.lbHealth;
    if (n.process == QLatin1String("ready") || n.process == QLatin1String("continued"))
        return QStringLiteral("up");
    if (n.process == QLatin1String("starting"))
        return QStringLiteral("starting");
    return QStringLiteral("unknown");
}

QString TopologyModel::processText(const Node& n) {
    return n.drained ? QStringLiteral("exited after drain") : n.process;
}

QVariant TopologyModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Node& n = node(index.row());
    switch (role) {
        case KindRole:
            return static_cast<int>(n.kind);
        case HealthRole:
            return effectiveHealth(n);
        case RateRole:
            return n.rate;
        case IdRole:
            return n.id;
        case Qt::TextAlignmentRole:
            return index.column() >= Clients ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant();
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case Name:
            return n.id;
        case KindCol:
            return kindName(n.kind);
        case Process:
            return n.process.isEmpty() ? QStringLiteral("—") : processText(n);
        case Pid:
            return n.pid > 0 ? QVariant(n.pid) : QVariant(QStringLiteral("—"));
        case Health:
            return effectiveHealth(n);
        case Clients:
            return n.clients;
        case Sticky:
            return n.placement[PlacementSticky];
        case Fresh:
            return n.placement[PlacementFresh];
        case Failover:
            return n.placement[PlacementFailover];
        case Rate:
            return QString::number(n.rate, 'f', 0);
        case Reconnects:
            return n.reconnects;
        default:
            return {};
    }
}

QVariant TopologyModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* kNames[ColumnCount] = {"Name",     "Kind",    "Process",   "PID",
                                              "Health",   "Clients", "Sticky",    "Fresh",
                                              "Failover", "msg/s",   "Reconnects"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

void TopologyModel::beginBatch() {
    ++batchDepth_;
}

void TopologyModel::endBatch() {
    if (--batchDepth_ > 0)
        return;
    // One dataChanged per touched row, never one for the whole table.
    QList<int> rows = dirty_.values();
    std::sort(rows.begin(), rows.end());
    dirty_.clear();
    for (int r : rows)
        Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void TopologyModel::touch(int row) {
    if (row < 0)
        return;
    if (batchDepth_ > 0)
        dirty_.insert(row);
    else
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int TopologyModel::ensureNode(const QString& id, Kind kind) {
    if (auto it = rowById_.constFind(id); it != rowById_.constEnd())
        return *it;
    const int row = static_cast<int>(nodes_.size());
    beginInsertRows({}, row, row);
    nodes_.push_back(Node{.id = id, .kind = kind});
    rowById_.insert(id, row);
    endInsertRows();
    if (kind == Kind::Fleet)
        ++fleetCount_;
    return row;
}

QString TopologyModel::defaultFleetId() {
    return kFleetId;
}

int TopologyModel::fleetRow(const std::string& name) {
    QString id = name.empty() ? kFleetId : qs(name);
    // A fleet named like another node ("balancer") must not merge with it.
    if (const int row = rowOf(id);
        row >= 0 && nodes_[static_cast<std::size_t>(row)].kind != Kind::Fleet)
        id = QStringLiteral("fleet ") + id;
    if (const int row = rowOf(id); row >= 0) {
        if (row == placeholderRow_)
            placeholderRow_ = -1;
        return row;
    }
    if (placeholderRow_ >= 0) {
        // The first named fleet takes over the placeholder box (same row, new name), so a
        // single-fleet scenario never shows an empty "clients" box beside its own.
        const int row = placeholderRow_;
        placeholderRow_ = -1;
        Q_EMIT layoutAboutToBeChanged();
        rowById_.remove(nodes_[static_cast<std::size_t>(row)].id);
        nodes_[static_cast<std::size_t>(row)].id = id;
        rowById_.insert(id, row);
        Q_EMIT layoutChanged();
        return row;
    }
    return ensureNode(id, Kind::Fleet);
}

QStringList TopologyModel::fleets() const {
    QStringList out;
    for (const Node& n : nodes_)
        if (n.kind == Kind::Fleet)
            out << n.id;
    return out;
}

QString TopologyModel::fleetOfClient(std::uint32_t client) const {
    const auto it = clients_.find(client);
    return it == clients_.end() || it->second.fleetRow < 0 ? QString()
                                                           : node(it->second.fleetRow).id;
}

void TopologyModel::recountFleet(int row) {
    Node& f = nodes_[static_cast<std::size_t>(row)];
    f.clients = f.placement[0] + f.placement[1] + f.placement[2];
    touch(row);
}

QString TopologyModel::relayOfClient(std::uint32_t client) const {
    const auto it = clients_.find(client);
    return it == clients_.end() || it->second.row < 0 ? QString() : node(it->second.row).id;
}

void TopologyModel::onConnected(const ev::client_connected& c) {
    onDisconnected(c.client);  // a reconnect without a disconnect event moves the client
    const int fleet = fleetRow(c.fleet);
    const int row = ensureNode(qs(c.relay), Kind::Relay);
    const int p = placementIndex(c.placement);
    clients_[c.client] = ClientPlace{row, p, fleet};
    Node& n = nodes_[static_cast<std::size_t>(row)];
    ++n.clients;
    ++n.placement[static_cast<std::size_t>(p)];
    if (c.reconnect)
        ++n.reconnects;
    touch(row);
    Node& f = nodes_[static_cast<std::size_t>(fleet)];
    ++f.placement[static_cast<std::size_t>(p)];
    if (c.reconnect)
        ++f.reconnects;
    recountFleet(fleet);
}

void TopologyModel::onDisconnected(std::uint32_t client) {
    auto it = clients_.find(client);
    if (it == clients_.end() || it->second.row < 0)
        return;
    const auto p = static_cast<std::size_t>(it->second.placement);
    Node& n = nodes_[static_cast<std::size_t>(it->second.row)];
    n.clients = std::max(0, n.clients - 1);
    n.placement[p] = std::max(0, n.placement[p] - 1);
    touch(it->second.row);
    it->second.row = -1;  // remembered (its fleet) but not connected
    if (const int fleet = it->second.fleetRow; fleet >= 0) {
        Node& f = nodes_[static_cast<std::size_t>(fleet)];
        f.placement[p] = std::max(0, f.placement[p] - 1);
        recountFleet(fleet);
    }
}

void TopologyModel::apply(const ev::event& e) {
    if (const auto* s = std::get_if<ev::run_started>(&e)) {
        (void)s;
        reset();
    } else if (const auto* c = std::get_if<ev::component_changed>(&e)) {
        Kind kind = Kind::Relay;
        if (c->kind == "balancer")
            kind = Kind::Balancer;
        else if (c->kind == "redis")
            kind = Kind::Redis;
        else if (c->kind != "relay")
            return;  // fault proxies are drawn as edge decorations, not nodes
        // One balancer and one Redis in the picture whatever the engine names them.
        const QString id = kind == Kind::Balancer ? kBalancerId
                           : kind == Kind::Redis  ? kRedisId
                                                  : qs(c->component);
        const int row = ensureNode(id, kind);
        Node& n = nodes_[static_cast<std::size_t>(row)];
        if (c->state == "exited" || c->state == "killed" || c->state == "failed")
            n.drained = c->state == "exited" && n.process == QLatin1String("draining");
        else if (c->state != "draining")
            n.drained = false;
        n.process = qs(c->state);
        if (c->pid > 0)
            n.pid = c->pid;
        // Outages: from the death of the process to it being ready again (a Redis restart is
        // over in milliseconds, inside one batch: the box keeps how long it lasted).
        const double at = static_cast<double>(c->at.count()) / 1e6;
        if (c->state == "killed" || c->state == "exited" || c->state == "failed") {
            if (n.downSinceS < 0)
                n.downSinceS = at;
        } else if (c->state == "ready" && n.downSinceS >= 0) {
            n.lastOutageS = at - n.downSinceS;
            n.lastOutageAtS = at;
            n.downSinceS = -1;
        }
        touch(row);
    } else if (const auto* h = std::get_if<ev::health_changed>(&e)) {
        const int row = ensureNode(qs(h->backend), Kind::Relay);
        nodes_[static_cast<std::size_t>(row)].lbHealth = qs(h->to);
        touch(row);
    } else if (const auto* cc = std::get_if<ev::client_connected>(&e)) {
        onConnected(*cc);
    } else if (const auto* cd = std::get_if<ev::client_disconnected>(&e)) {
        onDisconnected(cd->client);
    } else if (const auto* cf = std::get_if<ev::connect_failed>(&e)) {
        const int fleet = fleetRow(cf->fleet);
        ++nodes_[static_cast<std::size_t>(fleet)].connectFailures;
        auto& place = clients_[cf->client];
        if (place.fleetRow < 0)
            place = ClientPlace{-1, 0, fleet};
        touch(fleet);
    } else if (const auto* m = std::get_if<ev::metrics>(&e)) {
        const double secs =
            m->period.count() > 0 ? static_cast<double>(m->period.count()) / 1e6 : 0;
        // A relay missing from the period (killed, not yet started) delivered nothing.
        for (std::size_t row = 0; row < nodes_.size(); ++row) {
            Node& n = nodes_[row];
            if (n.kind != Kind::Relay || n.rate == 0)
                continue;
            const bool reported =
                std::any_of(m->relays.begin(), m->relays.end(),
                            [&](const ev::relay_load& r) { return qs(r.relay) == n.id; });
            if (!reported) {
                n.rate = 0;
                touch(static_cast<int>(row));
            }
        }
        for (const auto& r : m->relays) {
            const int row = ensureNode(qs(r.relay), Kind::Relay);
            Node& n = nodes_[static_cast<std::size_t>(row)];
            n.clients = static_cast<int>(r.clients);  // the engine's count is authoritative
            n.rate = secs > 0 ? static_cast<double>(r.deliveries) / secs : 0;
            touch(row);
        }
        publishesPerS_ = m->publishes_per_s;
        // Metrics carry totals only: a single fleet takes them as they are; with several,
        // each keeps the count its own client events give and no publish rate of its own.
        for (std::size_t row = 0; row < nodes_.size(); ++row) {
            Node& f = nodes_[row];
            if (f.kind != Kind::Fleet)
                continue;
            if (fleetCount_ == 1) {
                f.clients = static_cast<int>(m->clients_connected);
                f.rate = m->publishes_per_s;
            } else {
                f.rate = 0;
            }
            touch(static_cast<int>(row));
        }
        for (const QString& id : {kBalancerId, kRedisId}) {
            nodes_[static_cast<std::size_t>(rowOf(id))].rate = m->publishes_per_s;
            touch(rowOf(id));
        }
    } else if (const auto* f = std::get_if<ev::fault_changed>(&e)) {
        if (f->active)
            faults_.insert(qs(f->link), f->detail.empty()
                                            ? qs(f->toxic)
                                            : qs(f->toxic) + QStringLiteral(" ") + qs(f->detail));
        else
            faults_.remove(qs(f->link));
        Q_EMIT faultsChanged();
    }
}

}  // namespace switchyard::gui
