#pragma once
// A bounded series of (seconds, value) points for one chart line.
#include <QList>
#include <QPointF>

namespace switchyard::gui {

/// Keeps the newest `kMaxPoints` points (20 minutes of 250 ms metrics); older points are
/// dropped in chunks so appending stays O(1) amortised.
class TimeSeries {
  public:
    static constexpr qsizetype kMaxPoints = 4800;

    void append(double t, double v);
    void clear() { points_.clear(); }
    const QList<QPointF>& points() const { return points_; }
    qsizetype size() const { return points_.size(); }
    bool empty() const { return points_.isEmpty(); }
    double last() const { return points_.isEmpty() ? 0.0 : points_.constLast().y(); }
    /// Largest value among points with t >= from.
    double maxSince(double from) const;

  private:
    QList<QPointF> points_;
};

}  // namespace switchyard::gui
