// Every hand action clicked in the window against a real in-process run (redis-server, three
// switchyard-relay processes, switchyard-lb, two fleets of clients), with its effect checked on
// the real processes and in the dashboard: kill (button), restart (relay context menu), stop
// (button), continue (context menu), add relay (button), set count (fleet box + button), drain
// (context menu), restart Redis (button), and Stop in the toolbar.
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>

#include <cerrno>
#include <csignal>
#include <fstream>

#include "gui/live_run.hpp"
#include "gui/main_window.hpp"
#include "gui/topology_items.hpp"
#include "gui/topology_view.hpp"
#include "live_window_setup.hpp"

using namespace switchyard;
using namespace switchyard::gui;

namespace {

constexpr const char* kScenario = R"(name: gui-hand
seed: 5
duration: 120s
drain: 500ms
metrics_interval: 250ms
cluster:
  balancer:
    strategy: round-robin
    health: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
  relays:
    count: 3
  bus: redis
clients:
  - name: web
    count: 20
    ramp: 500ms
    publish_rate_hz: 2
    reconnect: {initial_backoff: 50ms, max_backoff: 300ms, resume: true}
  - name: mobile
    count: 10
    ramp: 500ms
    publish_rate_hz: 1
    reconnect: {initial_backoff: 50ms, max_backoff: 300ms, resume: true}
expect:
  reconnects: {min: 1}
)";

/// Generous: a 2-core CI machine shared with other builds.
constexpr int kTimeoutMs = 20'000;

bool processExists(int pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH);
}

/// The state letter in /proc/<pid>/stat ('T' while SIGSTOPped), '?' when gone.
char procState(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}

/// First event log row whose subject and text contain `a` and `b`, -1 when none.
int logRow(MainWindow& w, const QString& a, const QString& b) {
    const auto& log = w.models().log();
    for (int r = 0; r < log.rowCount(); ++r) {
        const QString text = log.index(r, EventLogModel::Subject).data().toString() +
                             QLatin1Char(' ') + log.index(r, EventLogModel::Text).data().toString();
        if (text.contains(a) && text.contains(b))
            return r;
    }
    return -1;
}

bool logContains(MainWindow& w, const QString& a, const QString& b) {
    return logRow(w, a, b) >= 0;
}

const TopologyModel::Node& node(MainWindow& w, const QString& id) {
    const auto& t = w.models().topology();
    static const TopologyModel::Node none;
    const int row = t.rowOf(id);
    return row >= 0 ? t.node(row) : none;
}

QString health(MainWindow& w, const QString& id) {
    return TopologyModel::effectiveHealth(node(w, id));
}

/// Centre of a node's box in the topology view's viewport.
QPoint centreOf(MainWindow& w, const QString& id) {
    TopologyView& view = w.topologyView();
    NodeItem* n = view.nodeItem(id);
    if (!n)
        return {};
    return view.mapFromScene(n->mapToScene(QPointF(n->size().width() / 2, n->size().height() / 2)));
}

/// Clicks a node in the topology view (a relay click selects it for the buttons).
void clickNode(MainWindow& w, const QString& id) {
    QTest::mouseClick(w.topologyView().viewport(), Qt::LeftButton, {}, centreOf(w, id));
}

void clickButton(MainWindow& w, const char* name) {
    auto* b = w.findChild<QPushButton*>(QString::fromLatin1(name));
    QVERIFY2(b, name);
    QVERIFY2(b->isEnabled(), name);
    QTest::mouseClick(b, Qt::LeftButton);
}

/// Right-clicks a node in the topology view and picks `actionText` from the menu that opens
/// (the menu runs its own event loop; a timer finds it and triggers the action).
bool pickFromContextMenu(MainWindow& w, const QString& id, const QString& actionText) {
    bool picked = false;
    int ticks = 0;
    QTimer poll;
    poll.setInterval(20);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        if (!menu) {
            if (++ticks > 250)
                poll.stop();  // no menu opened: the sendEvent below has returned already
            return;
        }
        poll.stop();
        for (QAction* a : menu->actions())
            if (a->text() == actionText) {
                a->trigger();
                picked = true;
            }
        menu->close();
    });
    poll.start();
    const QPoint p = centreOf(w, id);
    QWidget* viewport = w.topologyView().viewport();
    QContextMenuEvent e(QContextMenuEvent::Mouse, p, viewport->mapToGlobal(p));
    QApplication::sendEvent(viewport, &e);  // returns once the menu has closed
    poll.stop();
    return picked;
}

/// Every value `id`'s health takes in the model, in order (repeats folded).
class HealthRecorder : public QObject {
  public:
    HealthRecorder(MainWindow& w, QString id) : w_(w), id_(std::move(id)) {
        connect(&w.models().topology(), &QAbstractItemModel::dataChanged, this, [this] {
            const QString h = health(w_, id_);
            if (seen.isEmpty() || seen.constLast() != h)
                seen << h;
        });
    }
    QStringList seen;

  private:
    MainWindow& w_;
    QString id_;
};

}  // namespace

class LiveHandActionsTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void everyHandActionThroughTheWindow() {
        QVERIFY(LiveRun::available());
        QTemporaryDir dir;
        const QString path = testing::write_scenario_file(dir, "gui-hand.yaml", kScenario);
        QVERIFY(!path.isEmpty());
        MainWindow w;
        QString err;
        QVERIFY2(testing::show_and_open(w, path, &err), qPrintable(err));
        w.runScenario();
        QVERIFY(w.liveRun());
        const auto& topo = w.models().topology();

        // Both fleets connect; client events carry their fleet, so each has its own box.
        QTRY_VERIFY_WITH_TIMEOUT(node(w, "web").clients == 20 && node(w, "mobile").clients == 10,
                                 kTimeoutMs);
        QCOMPARE(topo.fleets(), QStringList({"web", "mobile"}));
        QTRY_VERIFY_WITH_TIMEOUT(health(w, "relay-1") == "up" && health(w, "relay-2") == "up" &&
                                     health(w, "relay-3") == "up",
                                 kTimeoutMs);
        QCOMPARE(health(w, "relay-4"), QString("spare"));  // reserved for Add relay

        // Kill: select relay-1 by clicking its box, then the Kill button. The process is gone.
        const int pid1 = node(w, "relay-1").pid;
        QVERIFY(processExists(pid1));
        clickNode(w, "relay-1");
        QCOMPARE(w.findChild<QComboBox*>("relayChoice")->currentText(), QString("relay-1"));
        clickButton(w, "kill");
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "relay-1").process, QString("killed"), kTimeoutMs);
        QCOMPARE(health(w, "relay-1"), QString("down"));
        QVERIFY(!processExists(pid1));
        // Its clients fail over to the survivors.
        QTRY_VERIFY_WITH_TIMEOUT(
            node(w, "relay-1").clients == 0 &&
                node(w, "web").clients + node(w, "mobile").clients == 30 &&
                node(w, "web").placement[TopologyModel::PlacementFailover] +
                        node(w, "mobile").placement[TopologyModel::PlacementFailover] >
                    0,
            kTimeoutMs);

        // Restart from relay-1's context menu: a new process, up again for the balancer.
        QVERIFY(pickFromContextMenu(w, "relay-1", "Restart"));
        QTRY_VERIFY_WITH_TIMEOUT(node(w, "relay-1").pid != pid1 && health(w, "relay-1") == "up",
                                 kTimeoutMs);
        QVERIFY(processExists(node(w, "relay-1").pid));

        // Stop relay-2 with the button: the real process is stopped (state T), the box suspect.
        const int pid2 = node(w, "relay-2").pid;
        clickNode(w, "relay-2");
        clickButton(w, "stop");
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "relay-2").process, QString("stopped"), kTimeoutMs);
        QCOMPARE(procState(pid2), 'T');
        QVERIFY(health(w, "relay-2") == "suspect" || health(w, "relay-2") == "down");
        // Continue from the context menu: running again.
        QVERIFY(pickFromContextMenu(w, "relay-2", "Continue (SIGCONT)"));
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "relay-2").process, QString("continued"), kTimeoutMs);
        QVERIFY(procState(pid2) != 'T' && procState(pid2) != '?');
        QTRY_COMPARE_WITH_TIMEOUT(health(w, "relay-2"), QString("up"), kTimeoutMs);

        // Add relay: the spare relay-4 starts and the balancer takes it.
        clickButton(w, "addRelay");
        QTRY_VERIFY_WITH_TIMEOUT(health(w, "relay-4") == "up", kTimeoutMs);
        QVERIFY(processExists(node(w, "relay-4").pid));
        QCOMPARE(w.topologyView().nodeItem("relay-4")->health(), QString("up"));
        // More mobile clients (fleet box + count + Set): some of them land on relay-4.
        auto* fleet = w.findChild<QComboBox*>("fleetChoice");
        QVERIFY(fleet);
        fleet->setCurrentText("mobile");
        QCOMPARE(fleet->currentText(), QString("mobile"));
        auto* count = w.findChild<QSpinBox*>("clientCount");
        QCOMPARE(count->value(), 10);  // the chosen fleet's count from the scenario
        count->setValue(19);
        clickButton(w, "setCount");
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "mobile").clients, 19, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(node(w, "relay-4").clients > 0, kTimeoutMs);

        // Drain relay-3 from its context menu: draining, then down once it exits. With few
        // clients the relay drains within one UI batch, so the box may go straight to
        // "DOWN · exited after drain"; the log always has both steps, in order.
        HealthRecorder drained(w, "relay-3");
        const int pid3 = node(w, "relay-3").pid;
        QVERIFY(pickFromContextMenu(w, "relay-3", "Drain (SIGTERM)"));
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "relay-3").process, QString("exited"), kTimeoutMs);
        QCOMPARE(health(w, "relay-3"), QString("down"));
        QVERIFY(node(w, "relay-3").drained);
        QCOMPARE(w.topologyView().nodeItem("relay-3")->lines().value(1),
                 QString("DOWN · exited after drain"));
        QVERIFY2(drained.seen.indexOf("draining") < drained.seen.lastIndexOf("down"),
                 qPrintable(drained.seen.join(" → ")));
        const int drainingRow = logRow(w, "relay-3", "relay draining");
        QVERIFY(drainingRow >= 0);
        QVERIFY(drainingRow < logRow(w, "relay-3", "relay exited"));
        QVERIFY(!processExists(pid3));
        QTRY_COMPARE_WITH_TIMEOUT(node(w, "relay-3").clients, 0, kTimeoutMs);

        // Restart Redis with the button: the bus is gone for a moment (the box says for how
        // long), a new redis-server serves, and deliveries flow again.
        const int redisPid = node(w, "redis").pid;
        QVERIFY(processExists(redisPid));
        clickButton(w, "restartRedis");
        QTRY_VERIFY_WITH_TIMEOUT(node(w, "redis").lastOutageS >= 0, kTimeoutMs);
        QCOMPARE(node(w, "redis").process, QString("ready"));
        QVERIFY(node(w, "redis").pid != redisPid);
        QVERIFY(!processExists(redisPid));
        QVERIFY(processExists(node(w, "redis").pid));
        QVERIFY2(w.topologyView().nodeItem("redis")->lines().join(' ').contains("outage"),
                 qPrintable(w.topologyView().nodeItem("redis")->lines().join(' ')));
        QVERIFY(logContains(w, "redis", "redis killed"));
        const double back = node(w, "redis").lastOutageAtS;
        QTRY_VERIFY_WITH_TIMEOUT(w.models().history().delivered().maxSince(back + 0.5) > 0,
                                 kTimeoutMs);

        // Every hand action is in the event log, and the engine applied each one.
        for (const auto& [kind, target] :
             std::initializer_list<std::pair<const char*, const char*>>{{"kill", "relay-1"},
                                                                        {"restart", "relay-1"},
                                                                        {"stop", "relay-2"},
                                                                        {"cont", "relay-2"},
                                                                        {"add_relay", "relay-4"},
                                                                        {"set_count", "mobile"},
                                                                        {"drain", "relay-3"},
                                                                        {"restart_redis", "redis"}})
            QVERIFY2(logContains(w, "[hand]", QStringLiteral("%1 %2").arg(kind, target)),
                     qPrintable(QStringLiteral("%1 %2").arg(kind, target)));
        int hand = 0;
        for (const auto& e : w.pump().session())
            if (const auto* a = std::get_if<events::action_applied>(&e))
                if (a->source == "hand") {
                    QVERIFY2(a->ok, a->error.c_str());
                    ++hand;
                }
        QCOMPARE(hand, 8);

        // A picture of the cluster after all that (two fleets, relay-4 added, relay-3 drained),
        // charts on a 30 s window (the run is planned for 120 s).
        auto* chartWindow = w.findChild<QComboBox*>("chartWindow");
        QVERIFY(chartWindow);
        chartWindow->setCurrentText("30 s");
        QTest::qWait(300);
        const QImage img = w.grab().toImage();
        QVERIFY(img.save(QStringLiteral(SWITCHYARD_GUI_OUTPUT "/gui-live-hand.png")));
        const QString docs = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
        if (!docs.isEmpty())
            QVERIFY(img.save(QDir(docs).filePath("gui-live-hand.png")));

        // Stop in the toolbar ends the run early: verdict "interrupted".
        QAction* stop = nullptr;
        for (QAction* a : w.findChild<QToolBar*>()->actions())
            if (a->objectName() == "stopRun")
                stop = a;
        QVERIFY(stop);
        stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.models().verdict(), QString("interrupted"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w.liveRun(), kTimeoutMs);
    }
};

QTEST_MAIN(LiveHandActionsTest)
#include "live_hand_actions_test.moc"
