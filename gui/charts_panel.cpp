#include "gui/charts_panel.hpp"

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

#include "gui/metrics_history.hpp"

namespace switchyard::gui {

ChartsPanel::ChartsPanel(MetricsHistory& history, QWidget* parent)
    : QWidget(parent), history_(history) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    clients_ = makeBox(QStringLiteral("Connected clients per relay"), QStringLiteral("clients"));
    rates_ = makeBox(QStringLiteral("Messages per second"), QStringLiteral("msg/s"));
    published_ = addSeries(rates_, QStringLiteral("published"));
    delivered_ = addSeries(rates_, QStringLiteral("delivered"));
    latency_ = makeBox(QStringLiteral("Delivery latency"), QStringLiteral("ms"));
    p50_ = addSeries(latency_, QStringLiteral("p50"));
    p99_ = addSeries(latency_, QStringLiteral("p99"));
    ratio_ = makeBox(QStringLiteral("Delivery ratio"), QStringLiteral("ratio"));
    ratio_.fixedY = true;
    ratio_.y->setLabelFormat(QStringLiteral("%.2f"));
    ratioLine_ = addSeries(ratio_, QStringLiteral("delivered / expected"));
    reconnects_ = makeBox(QStringLiteral("Reconnects · failed connects"), QStringLiteral("per s"));
    reconnectLine_ = addSeries(reconnects_, QStringLiteral("reconnects/s"));
    failureLine_ = addSeries(reconnects_, QStringLiteral("failed connects/s"));
    grid->addWidget(clients_.view, 0, 0, 1, 2);
    grid->addWidget(rates_.view, 1, 0);
    grid->addWidget(latency_.view, 1, 1);
    grid->addWidget(ratio_.view, 2, 0);
    grid->addWidget(reconnects_.view, 2, 1);
    connect(&history_, &MetricsHistory::updated, this, &ChartsPanel::refresh);
    setTheme(theme_);
}

ChartsPanel::Box ChartsPanel::makeBox(const QString& title, const QString& yTitle) {
    Box b;
    b.chart = new QChart;
    b.chart->setTitle(title);
    b.chart->setMargins(QMargins(4, 2, 4, 2));
    b.chart->layout()->setContentsMargins(0, 0, 0, 0);
    b.chart->setBackgroundRoundness(4);
    b.chart->legend()->setAlignment(Qt::AlignTop);
    b.x = new QValueAxis;
    b.x->setTitleText(QStringLiteral("run time (s)"));
    b.x->setLabelFormat(QStringLiteral("%.0f"));
    b.x->setTickCount(7);
    b.y = new QValueAxis;
    b.y->setTitleText(yTitle);
    b.y->setLabelFormat(QStringLiteral("%.0f"));
    b.y->setTickCount(4);
    b.chart->addAxis(b.x, Qt::AlignBottom);
    b.chart->addAxis(b.y, Qt::AlignLeft);
    b.view = new QChartView(b.chart);
    b.view->setRenderHint(QPainter::Antialiasing);
    b.view->setMinimumSize(240, 150);
    for (int i = 0; i < kMaxVisibleMarkers; ++i) {
        auto* m = new QLineSeries;
        b.chart->addSeries(m);
        m->attachAxis(b.x);
        m->attachAxis(b.y);
        for (QLegendMarker* lm : b.chart->legend()->markers(m))
            lm->setVisible(false);
        b.markers.push_back(m);
    }
    return b;
}

QLineSeries* ChartsPanel::addSeries(Box& b, const QString& name) {
    auto* s = new QLineSeries;
    s->setName(name);
    b.chart->addSeries(s);
    s->attachAxis(b.x);
    s->attachAxis(b.y);
    b.series.push_back(s);
    return s;
}

void ChartsPanel::styleBox(Box& b) {
    b.chart->setTheme(theme_.dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    b.chart->setBackgroundBrush(theme_.panel);
    b.chart->setTitleBrush(theme_.text);
    QFont tf = b.chart->titleFont();
    tf.setPixelSize(13);
    tf.setBold(true);
    b.chart->setTitleFont(tf);
    QFont lf = b.chart->legend()->font();
    lf.setPixelSize(11);
    b.chart->legend()->setFont(lf);
    b.chart->legend()->setLabelColor(theme_.text);
    for (QValueAxis* a : {b.x, b.y}) {
        QFont af = a->labelsFont();
        af.setPixelSize(10);
        a->setLabelsFont(af);
        a->setLabelsColor(theme_.mutedText);
        QFont at = a->titleFont();
        at.setPixelSize(10);
        at.setBold(false);
        a->setTitleFont(at);
        a->setTitleBrush(theme_.mutedText);
        a->setGridLineColor(theme_.grid);
        a->setLinePenColor(theme_.grid);
    }
}

void ChartsPanel::setTheme(const Theme& t) {
    theme_ = t;
    for (Box* b : {&clients_, &rates_, &latency_, &ratio_, &reconnects_})
        styleBox(*b);
    // setTheme resets series pens: colour them after.
    auto pen = [](QLineSeries* s, const QColor& c) {
        QPen p(c, 2);
        s->setPen(p);
    };
    pen(published_, t.published);
    pen(delivered_, t.delivered);
    pen(p50_, t.p50);
    pen(p99_, t.p99);
    pen(ratioLine_, t.ratio);
    pen(reconnectLine_, t.reconnects);
    pen(failureLine_, t.failures);
    int i = 0;
    for (QLineSeries* s : std::as_const(relaySeries_))
        pen(s, t.seriesColor(i++));
    refresh();
}

void ChartsPanel::setWindowSeconds(double s) {
    window_ = std::max(0.0, s);
    refresh();
}

std::pair<double, double> ChartsPanel::xRange() const {
    const double now = history_.now();
    if (window_ <= 0)
        return {0.0, std::max({now, history_.duration(), 1.0})};
    const double to = std::max(now, window_);
    return {to - window_, to};
}

void ChartsPanel::feed(QLineSeries* s, const TimeSeries& data, double from) {
    const auto& pts = data.points();
    auto first = std::lower_bound(pts.begin(), pts.end(), from,
                                  [](const QPointF& p, double t) { return p.x() < t; });
    // Keep one point before the window so the line enters from the left edge.
    if (first != pts.begin())
        --first;
    s->replace(QList<QPointF>(first, pts.end()));
}

void ChartsPanel::finishBox(Box& b, double from, double to, double yMax) {
    b.x->setRange(from, to);
    if (b.fixedY) {
        b.y->setRange(0, 1.05);
    } else {
        b.y->setRange(0, std::max(1.0, yMax * 1.1));
        b.y->applyNiceNumbers();  // round ticks: 0, 50k, 100k rather than 0, 34.5k, 69k
    }
    const double top = b.y->max();
    std::size_t used = 0;
    for (const TimeMarker& m : history_.markers()) {
        if (m.t < from || m.t > to || used >= b.markers.size())
            continue;
        QLineSeries* line = b.markers[used++];
        QPen p(m.fault ? theme_.fault : theme_.action, 1.5, Qt::DashLine);
        line->setPen(p);
        line->replace(QList<QPointF>{QPointF(m.t, 0), QPointF(m.t, top)});
    }
    for (; used < b.markers.size(); ++used)
        if (b.markers[used]->count() > 0)
            b.markers[used]->clear();
}

void ChartsPanel::refresh() {
    const auto [from, to] = xRange();
    // New relays get a line of their own, coloured by first appearance.
    for (auto it = history_.clientsPerRelay().cbegin(); it != history_.clientsPerRelay().cend();
         ++it) {
        if (relaySeries_.contains(it.key()))
            continue;
        QLineSeries* s = addSeries(clients_, it.key());
        s->setPen(QPen(theme_.seriesColor(static_cast<int>(relaySeries_.size())), 2));
        relaySeries_.insert(it.key(), s);
    }
    // A cleared history (new run) drops the relays' lines.
    const QStringList known = relaySeries_.keys();
    for (const QString& name : known) {
        if (history_.clientsPerRelay().contains(name))
            continue;
        QLineSeries* s = relaySeries_.take(name);
        clients_.chart->removeSeries(s);
        std::erase(clients_.series, s);
        delete s;
    }
    double clientMax = 0;
    for (auto it = relaySeries_.cbegin(); it != relaySeries_.cend(); ++it) {
        const TimeSeries& data = history_.clientsPerRelay()[it.key()];
        feed(it.value(), data, from);
        clientMax = std::max(clientMax, data.maxSince(from));
    }
    finishBox(clients_, from, to, clientMax);
    feed(published_, history_.published(), from);
    feed(delivered_, history_.delivered(), from);
    finishBox(rates_, from, to,
              std::max(history_.published().maxSince(from), history_.delivered().maxSince(from)));
    feed(p50_, history_.p50(), from);
    feed(p99_, history_.p99(), from);
    finishBox(latency_, from, to,
              std::max(history_.p50().maxSince(from), history_.p99().maxSince(from)));
    feed(ratioLine_, history_.deliveryRatio(), from);
    finishBox(ratio_, from, to, 1);
    feed(reconnectLine_, history_.reconnects(), from);
    feed(failureLine_, history_.connectFailures(), from);
    finishBox(
        reconnects_, from, to,
        std::max(history_.reconnects().maxSince(from), history_.connectFailures().maxSince(from)));
    Q_EMIT rangeChanged(from, to);
}

int ChartsPanel::pointsIn(const QString& title) const {
    for (const Box* b : {&clients_, &rates_, &latency_, &ratio_, &reconnects_}) {
        if (b->chart->title() != title)
            continue;
        int n = 0;
        for (QLineSeries* s : b->series)
            n += static_cast<int>(s->count());
        return n;
    }
    return -1;
}

}  // namespace switchyard::gui
