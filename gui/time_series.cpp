#include "gui/time_series.hpp"

#include <algorithm>

namespace switchyard::gui {

void TimeSeries::append(double t, double v) {
    if (points_.size() >= kMaxPoints)
        points_.remove(0, kMaxPoints / 10);
    points_.append(QPointF(t, v));
}

double TimeSeries::maxSince(double from) const {
    double m = 0;
    for (auto it = points_.crbegin(); it != points_.crend() && it->x() >= from; ++it)
        m = std::max(m, it->y());
    return m;
}

}  // namespace switchyard::gui
