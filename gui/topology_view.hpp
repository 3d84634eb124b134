#pragma once
// The topology picture: the client fleet, the balancer, each relay and Redis as boxes, with
// edges sized by live traffic, health as colour and words, the placement mix per relay, and
// dots that follow sampled deliveries through the stack.
#include <QGraphicsView>
#include <QHash>
#include <QTimer>

#include <vector>

#include "engine/events/event.hpp"
#include "gui/theme.hpp"

class QGraphicsScene;

namespace switchyard::gui {

class TopologyModel;
class NodeItem;
class EdgeItem;
class FlowDot;
class LegendItem;

/// Reads the topology model (rows appear, rows change) and redraws only the touched items.
/// At most `kMaxDots` flow dots are alive; extra samples are skipped, so a burst of traffic
/// costs nothing more than a full screen of dots.
class TopologyView : public QGraphicsView {
    Q_OBJECT
  public:
    static constexpr int kMaxDots = 120;
    static constexpr int kAnimationMs = 33;
    static constexpr double kDotTravelS = 1.6;  ///< time one dot takes for the whole path

    TopologyView(TopologyModel& model, QWidget* parent = nullptr);
    void setTheme(const Theme& t);
    const Theme& theme() const { return theme_; }
    void showDeliveries(const std::vector<events::delivery_sample>& samples);
    int activeDots() const { return static_cast<int>(dots_.size()); }
    /// The node item for an id (tests and screenshots). Past kHeatMapAboveRelays relays, the
    /// relays have no items of their own: `heatMapItem` stands for them all.
    NodeItem* nodeItem(const QString& id) const { return nodes_.value(id, nullptr); }
    NodeItem* heatMapItem() const { return heat_; }
    /// The id the heat map item is filed under in the scene's node table.
    static QString heatMapId();
    QString selectedRelay() const { return selectedRelay_; }

  Q_SIGNALS:
    void relayMenuRequested(const QString& relay, const QPoint& globalPos);
    void redisMenuRequested(const QPoint& globalPos);
    void linkMenuRequested(const QString& link, const QPoint& globalPos);
    void relaySelected(const QString& relay);

  protected:
    void resizeEvent(QResizeEvent* e) override;
    void contextMenuEvent(QContextMenuEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;

  private:
    void rebuild();
    void onRowsChanged(int first, int last);
    void relayout();
    void refreshEdges();
    /// Recomputes the heat map from the model's relay rows (heat map mode only).
    void refreshHeatMap();
    /// The relay a node item under the pointer stands for ("" for other kinds).
    QString relayOf(NodeItem* n, QPointF scenePos) const;
    void animate();
    QString edgeLinkAt(const QPoint& viewPos) const;

    TopologyModel& model_;
    QGraphicsScene* scene_;
    Theme theme_ = Theme::darkTheme();
    QHash<QString, NodeItem*> nodes_;
    std::vector<EdgeItem*> edges_;
    std::vector<FlowDot*> dots_;
    LegendItem* legend_ = nullptr;
    QTimer animation_;
    QString selectedRelay_;
    NodeItem* heat_ = nullptr;
    bool heatRefreshPending_ = false;  ///< the relays' heat map, when there are too many for boxes
};

}  // namespace switchyard::gui
