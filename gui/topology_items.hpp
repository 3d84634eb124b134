#pragma once
// The graphics items of the topology scene. Each item paints from plain values the view
// sets, so painting never reads a model.
#include <QGraphicsItem>
#include <QString>

#include <array>
#include <memory>

#include "gui/relay_heatmap.hpp"
#include "gui/theme.hpp"
#include "gui/topology_model.hpp"

namespace switchyard::gui {

/// A box for one node: name, health (colour and word), process state, counts, placement mix.
class NodeItem : public QGraphicsItem {
  public:
    enum { Type = UserType + 1 };
    NodeItem(TopologyModel::Kind kind, QString id);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

    void setNode(const TopologyModel::Node& n, const QString& health);
    void setTheme(const Theme* t) {
        theme_ = t;
        update();
    }
    void setSelectedRelay(bool on) {
        selected_ = on;
        update();
    }
    /// Many relays: a shorter box without the placement line (the bar keeps the mix).
    void setCompact(bool on) {
        prepareGeometryChange();
        compact_ = on;
        update();
    }
    /// Many fleets: the smallest box, the name, the counts and the placement bar only.
    void setTiny(bool on) {
        prepareGeometryChange();
        tiny_ = on;
        update();
    }
    /// Fleets: whether this is the only fleet (then the run's publish rate is its own).
    void setFleetAlone(bool on) {
        fleetAlone_ = on;
        update();
    }
    /// Many relays: this one item stands for all of them, drawn as a heat map (null: a box).
    void setHeatMap(std::shared_ptr<const HeatMap> m);
    const HeatMap* heatMap() const { return heat_.get(); }
    /// The relay under `scenePos` in the heat map ("" when none or not a heat map).
    QString relayAt(QPointF scenePos) const;
    TopologyModel::Kind kind() const { return kind_; }
    const QString& id() const { return id_; }
    const QString& health() const { return health_; }
    /// The lines of text the box shows (tests read them).
    QStringList lines() const;
    QSizeF size() const;
    /// Where edges attach: left or right middle of the box, in scene coordinates.
    QPointF leftAnchor() const { return mapToScene(QPointF(0, size().height() / 2)); }
    QPointF rightAnchor() const { return mapToScene(QPointF(size().width(), size().height() / 2)); }

  private:
    TopologyModel::Kind kind_;
    QString id_;
    TopologyModel::Node node_;
    QString health_ = QStringLiteral("unknown");
    const Theme* theme_ = nullptr;
    bool selected_ = false;
    bool compact_ = false;
    bool tiny_ = false;
    bool fleetAlone_ = true;
    std::shared_ptr<const HeatMap> heat_;
    QSizeF heatSize_;
};

/// A line between two nodes; width grows with log(traffic), dashed red with a label while a
/// fault is set on its link.
class EdgeItem : public QGraphicsItem {
  public:
    enum { Type = UserType + 2 };
    EdgeItem(NodeItem* from, NodeItem* to, QString link);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

    void setTraffic(double perSecond);
    void setFault(const QString& fault);
    void setTheme(const Theme* t) {
        theme_ = t;
        update();
    }
    void adjust();
    const QString& link() const { return link_; }
    NodeItem* from() const { return from_; }
    NodeItem* to() const { return to_; }
    double width() const;
    const QString& fault() const { return fault_; }

  private:
    NodeItem* from_;
    NodeItem* to_;
    QString link_;
    QPointF a_, b_;
    double traffic_ = 0;
    QString fault_;
    const Theme* theme_ = nullptr;
};

/// One sampled delivery travelling along a polyline through the stack.
class FlowDot : public QGraphicsItem {
  public:
    FlowDot(std::vector<QPointF> path, QColor color);
    QRectF boundingRect() const override;
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;
    /// Moves along by `fraction` of the whole path; false once past the end.
    bool advance(double fraction);

  private:
    std::vector<QPointF> path_;
    std::vector<double> cumulative_;
    double progress_ = 0;
    QColor color_;
};

/// The colour key drawn under the picture.
class LegendItem : public QGraphicsItem {
  public:
    QRectF boundingRect() const override;
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;
    void setTheme(const Theme* t) {
        theme_ = t;
        update();
    }

  private:
    const Theme* theme_ = nullptr;
};

}  // namespace switchyard::gui
