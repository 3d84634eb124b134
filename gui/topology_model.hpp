#pragma once
// The cluster as the dashboard knows it: one row per node (each client fleet, the balancer,
// each relay, Redis) with process state, balancer health, client counts by placement reason
// and traffic. The topology view draws it; the relay table is a filtered view of it.
#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QString>

#include <array>
#include <unordered_map>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::gui {

/// Rows are appended as components appear and never reordered, so a row index is stable
/// for the life of a run (until `reset`). Updates inside `beginBatch`/`endBatch` are
/// coalesced into one dataChanged per touched row.
///
/// Fleets: client events name their fleet (`fleet`, from the scenario); each fleet is a row of
/// kind Fleet. Events without a name (logs from before the field existed) all go to one fleet
/// called "clients". A placeholder "clients" row exists from the start so the picture has a
/// shape; the first named fleet takes it over (renamed in place, signalled by layoutChanged).
class TopologyModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum class Kind { Fleet, Balancer, Relay, Redis };
    enum Column {
        Name,
        KindCol,
        Process,
        Pid,
        Health,
        Clients,
        Sticky,
        Fresh,
        Failover,
        Rate,
        Reconnects,
        ColumnCount
    };
    enum Role { KindRole = Qt::UserRole + 1, HealthRole, RateRole, IdRole };
    enum Placement { PlacementSticky, PlacementFresh, PlacementFailover, PlacementCount };

    struct Node {
        QString id{};
        Kind kind = Kind::Relay;
        QString process{};   ///< last component state ("ready", "killed", ...), "" unseen
        QString lbHealth{};  ///< balancer's word for it, "" unknown
        int clients = 0;
        std::array<int, PlacementCount> placement{};
        double rate = 0;  ///< messages/s through the node (deliveries for relays)
        int reconnects = 0;
        int connectFailures = 0;   ///< fleets: connect attempts that failed
        int pid = 0;               ///< process id of the last start (0 unknown)
        double downSinceS = -1;    ///< run time its process died, -1 while it runs
        double lastOutageS = -1;   ///< how long the last death lasted until ready again
        double lastOutageAtS = 0;  ///< run time it was ready again after that death
        bool drained = false;      ///< its process exited after a drain (not a crash)
    };

    explicit TopologyModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    void apply(const events::event& e);
    void beginBatch();
    void endBatch();
    void reset();

    const Node& node(int row) const { return nodes_[static_cast<std::size_t>(row)]; }
    int rowOf(const QString& id) const { return rowById_.value(id, -1); }
    /// The word the views show: derived from process state first (a killed relay is down
    /// whatever the balancer still believes), then the balancer's view. A relay never
    /// started is "spare" (reserved for add_relay), not "down".
    static QString effectiveHealth(const Node& n);
    /// The process state in words: "exited after drain" when a drain ended it (a relay with
    /// few clients drains within one UI batch, so "draining" alone may never be on screen).
    static QString processText(const Node& n);
    /// Active faults: link name → "toxic (detail)".
    const QHash<QString, QString>& faults() const { return faults_; }
    double publishesPerS() const { return publishesPerS_; }
    /// Relay a client is connected to ("" when unknown or disconnected).
    QString relayOfClient(std::uint32_t client) const;
    /// Fleet row id a client was last seen in ("" when never seen).
    QString fleetOfClient(std::uint32_t client) const;
    /// Ids of the fleet rows, in row order.
    QStringList fleets() const;
    /// The id every fleet-less client event is counted under.
    static QString defaultFleetId();
    /// Fleets known before any event (a scenario's, in its order): `reset` creates their boxes
    /// in that order instead of the placeholder. Empty = learn them from the events.
    void setKnownFleets(const QStringList& names) { knownFleets_ = names; }

  Q_SIGNALS:
    void faultsChanged();

  private:
    int ensureNode(const QString& id, Kind kind);
    void touch(int row);
    void onConnected(const events::client_connected& c);
    void onDisconnected(std::uint32_t client);
    /// Row of the fleet named `name` ("" = the default fleet), created or adopted on first use.
    int fleetRow(const std::string& name);
    void recountFleet(int row);

    struct ClientPlace {
        int row = -1;  ///< relay row, -1 while not connected
        int placement = 0;
        int fleetRow = -1;
    };
    std::vector<Node> nodes_;
    QHash<QString, int> rowById_;
    std::unordered_map<std::uint32_t, ClientPlace> clients_;
    QHash<QString, QString> faults_;
    QSet<int> dirty_;
    int batchDepth_ = 0;
    double publishesPerS_ = 0;
    QStringList knownFleets_;
    int placeholderRow_ = -1;  ///< the initial "clients" row while no client event claimed it
    int fleetCount_ = 0;
};

}  // namespace switchyard::gui
