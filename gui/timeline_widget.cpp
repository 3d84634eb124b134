#include "gui/timeline_widget.hpp"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "gui/dashboard_models.hpp"

namespace switchyard::gui {

namespace {
constexpr int kLeft = 86;  // lane labels
constexpr int kRight = 12;
constexpr int kLaneHeight = 18;
constexpr int kTop = 6;
const char* const kLaneNames[] = {"actions", "health", "verdicts"};
}  // namespace

TimelineWidget::TimelineWidget(DashboardModels& models, QWidget* parent)
    : QWidget(parent), models_(models) {
    setMinimumHeight(kTop + 3 * kLaneHeight + 18);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(&models_, &DashboardModels::timelineChanged, this, qOverload<>(&QWidget::update));
    connect(&models_, &DashboardModels::batchApplied, this, qOverload<>(&QWidget::update));
}

void TimelineWidget::setTheme(const Theme& t) {
    theme_ = t;
    update();
}

void TimelineWidget::setWindow(double from, double to) {
    windowFrom_ = from;
    windowTo_ = to;
    update();
}

double TimelineWidget::span() const {
    double s = std::max({models_.now(), models_.history().duration(), 1.0});
    for (const auto& p : models_.planned())
        s = std::max(s, p.t);
    return s * 1.02;
}

double TimelineWidget::xOf(double t) const {
    const double w = std::max(1, width() - kLeft - kRight);
    return kLeft + t / span() * w;
}

int TimelineWidget::laneOf(int category) const {
    switch (static_cast<EventCategory>(category)) {
        case EventCategory::Action:
        case EventCategory::Fault:
            return 0;
        case EventCategory::Health:
            return 1;
        default:
            return 2;
    }
}

void TimelineWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), theme_.panel);
    QFont f = font();
    f.setPixelSize(11);
    p.setFont(f);
    const int lanesBottom = kTop + 3 * kLaneHeight;
    for (int lane = 0; lane < 3; ++lane) {
        const int y = kTop + lane * kLaneHeight;
        p.setPen(theme_.mutedText);
        p.drawText(QRect(6, y, kLeft - 10, kLaneHeight), Qt::AlignRight | Qt::AlignVCenter,
                   QString::fromLatin1(kLaneNames[lane]));
        p.setPen(QPen(theme_.grid, 1));
        p.drawLine(QPointF(kLeft, y + kLaneHeight / 2.0),
                   QPointF(width() - kRight, y + kLaneHeight / 2.0));
    }
    // The charts' window, so both read on one time axis.
    if (windowTo_ > windowFrom_) {
        QColor band = theme_.draining;
        band.setAlpha(40);
        p.fillRect(QRectF(QPointF(xOf(windowFrom_), kTop), QPointF(xOf(windowTo_), lanesBottom)),
                   band);
    }
    // Time ticks.
    const double s = span();
    const double step = s <= 20 ? 2 : s <= 60 ? 5 : s <= 180 ? 15 : s <= 600 ? 60 : 300;
    p.setPen(theme_.mutedText);
    for (double t = 0; t <= s; t += step) {
        const double x = xOf(t);
        p.drawLine(QPointF(x, lanesBottom), QPointF(x, lanesBottom + 3));
        p.drawText(QRectF(x - 25, lanesBottom + 2, 50, 14), Qt::AlignCenter,
                   QStringLiteral("%1s").arg(t));
    }
    auto colorOf = [&](const TimelineItem& it) {
        if (it.bad)
            return theme_.down;
        switch (it.category) {
            case EventCategory::Fault:
                return theme_.fault;
            case EventCategory::Action:
                return theme_.action;
            case EventCategory::Health:
                return theme_.draining;
            case EventCategory::Assertion:
                return theme_.up;
            default:
                return theme_.mutedText;
        }
    };
    const double now = models_.now();
    // Planned items not yet reached: hollow.
    for (const auto& it : models_.planned()) {
        if (it.t <= now)
            continue;
        const int lane = laneOf(static_cast<int>(it.category));
        const QPointF c(xOf(it.t), kTop + lane * kLaneHeight + kLaneHeight / 2.0);
        p.setPen(QPen(colorOf(it), 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(c, 4.5, 4.5);
    }
    for (const auto& it : models_.timeline()) {
        const int lane = laneOf(static_cast<int>(it.category));
        const QPointF c(xOf(it.t), kTop + lane * kLaneHeight + kLaneHeight / 2.0);
        p.setPen(Qt::NoPen);
        p.setBrush(colorOf(it));
        p.drawEllipse(c, 4.5, 4.5);
    }
    // Short labels where they fit, left to right per lane; later marks that would overlap
    // stay unlabelled (their tooltip has the text).
    std::vector<const TimelineItem*> labelled;
    for (const auto& it : models_.timeline())
        labelled.push_back(&it);
    for (const auto& it : models_.planned())
        if (it.t > now)
            labelled.push_back(&it);
    std::stable_sort(labelled.begin(), labelled.end(),
                     [](const TimelineItem* a, const TimelineItem* b) { return a->t < b->t; });
    double laneRight[3] = {0, 0, 0};
    const QFontMetrics fm(f);
    for (const TimelineItem* it : labelled) {
        const int lane = laneOf(static_cast<int>(it->category));
        if (it->tag.isEmpty() || lane == 2)
            continue;
        const double x = xOf(it->t) + 7;
        const double w = fm.horizontalAdvance(it->tag);
        if (x < laneRight[lane] || x + w > width() - kRight)
            continue;
        p.setPen(it->planned ? theme_.mutedText : theme_.text);
        p.drawText(QRectF(x, kTop + lane * kLaneHeight, w + 2, kLaneHeight),
                   Qt::AlignLeft | Qt::AlignVCenter, it->tag);
        laneRight[lane] = x + w + 10;
    }
    // Now cursor.
    p.setPen(QPen(theme_.text, 1.5));
    p.drawLine(QPointF(xOf(now), kTop - 2), QPointF(xOf(now), lanesBottom + 2));
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || e->position().x() < kLeft)
        return QWidget::mousePressEvent(e);
    const double w = std::max(1, width() - kLeft - kRight);
    Q_EMIT seekRequested(std::clamp((e->position().x() - kLeft) / w * span(), 0.0, span()));
}

bool TimelineWidget::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        QString best;
        double bestDist = 8;
        auto consider = [&](const TimelineItem& it, const QString& prefix) {
            const int lane = laneOf(static_cast<int>(it.category));
            const QPointF c(xOf(it.t), kTop + lane * kLaneHeight + kLaneHeight / 2.0);
            const double d = QLineF(c, help->pos()).length();
            if (d < bestDist) {
                bestDist = d;
                best = QStringLiteral("%1%2 s: %3").arg(prefix).arg(it.t, 0, 'f', 2).arg(it.label);
            }
        };
        for (const auto& it : models_.timeline())
            consider(it, {});
        for (const auto& it : models_.planned())
            if (it.t > models_.now())
                consider(it, QStringLiteral("ahead, "));
        if (best.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), best, this);
        return true;
    }
    return QWidget::event(e);
}

}  // namespace switchyard::gui
