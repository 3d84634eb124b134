// Scenarios run in the simulator from the window (issue 16): a sim-only file opens in
// simulation, the run reaches its verdict on the dashboard, the speed paces it (10x takes at
// least a tenth of the simulated time), pause stops virtual time, a hand action is carried out by
// the simulated world, and Stop ends the run "interrupted".
#include <QElapsedTimer>
#include <QTest>

#include "gui/live_run.hpp"
#include "gui/main_window.hpp"

using namespace switchyard;
using namespace switchyard::gui;

namespace {

const QString kTwoZones = QStringLiteral(SWITCHYARD_SOURCE_DIR "/scenarios/sim/two-zones.yaml");

bool logContains(MainWindow& w, const QString& a, const QString& b = {}) {
    const auto& log = w.models().log();
    for (int r = 0; r < log.rowCount(); ++r) {
        const QString text = log.index(r, EventLogModel::Subject).data().toString() +
                             QLatin1Char(' ') + log.index(r, EventLogModel::Text).data().toString();
        if (text.contains(a) && (b.isEmpty() || text.contains(b)))
            return true;
    }
    return false;
}

int fleetClients(MainWindow& w) {
    int n = 0;
    const auto& t = w.models().topology();
    for (int r = 0; r < t.rowCount(); ++r)
        if (t.node(r).kind == TopologyModel::Kind::Fleet)
            n += t.node(r).clients;
    return n;
}

}  // namespace

class SimRunTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void simOnlyFileOpensInSimulationAndPasses() {
        MainWindow w;
        w.show();
        // Asked for the real world: two-zones has sim: keys, so it opens in simulation.
        w.setWorld(RunWorld::Real);
        QString err;
        QVERIFY2(w.openScenario(kTwoZones, &err), qPrintable(err));
        QCOMPARE(w.world(), RunWorld::Simulated);
        QVERIFY(w.run().worldNote().contains("opened in simulation"));
        w.pump().drainNow();
        QVERIFY(logContains(w, "opened in simulation", "switchyard sim"));
        w.setReplaySpeed(0);  // as fast as possible
        w.runScenario();
        QTRY_VERIFY_WITH_TIMEOUT(!w.models().verdict().isEmpty(), 60'000);
        w.pump().drainNow();
        QCOMPARE(w.models().verdict(), QString("passed"));
        QCOMPARE(fleetClients(w), 40);
        // Four relays (two per zone) up, and deliveries charted from the metrics.
        int relays = 0;
        for (int r = 0; r < w.models().topology().rowCount(); ++r) {
            const auto& n = w.models().topology().node(r);
            if (n.kind != TopologyModel::Kind::Relay)
                continue;
            ++relays;
            QCOMPARE(TopologyModel::effectiveHealth(n), QString("up"));
        }
        QCOMPARE(relays, 4);
        QVERIFY(!w.models().history().delivered().empty());
        QCOMPARE(w.models().assertions().failed(), 0);
        QVERIFY(w.models().assertions().passed() >= 5);
    }

    void tenTimesTakesATenthOfSimulatedTime() {
        MainWindow w;
        w.setWorld(RunWorld::Simulated);
        QString err;
        QVERIFY2(w.openScenario(kTwoZones, &err), qPrintable(err));
        w.setReplaySpeed(10);
        QElapsedTimer wall;
        wall.start();
        w.runScenario();
        QTRY_VERIFY_WITH_TIMEOUT(!w.models().verdict().isEmpty(), 60'000);
        const double seconds = wall.elapsed() / 1000.0;
        w.pump().drainNow();
        QCOMPARE(w.models().verdict(), QString("passed"));
        // 8 s of traffic and 1 s of drain at 10x: at least 0.9 s of wall time. (Only a lower
        // bound: a loaded machine may take longer, never shorter.)
        std::printf("sim x10: %.2f s wall for %.1f s simulated\n", seconds, w.models().now());
        QVERIFY2(seconds >= 0.85, qPrintable(QString::number(seconds)));
        QVERIFY(w.models().now() >= 8.5);
    }

    void pauseStopsVirtualTimeAndHandActionsReachTheSimulation() {
        MainWindow w;
        w.setWorld(RunWorld::Simulated);
        QString err;
        QVERIFY2(w.openScenario(kTwoZones, &err), qPrintable(err));
        w.setReplaySpeed(1);  // real time
        w.runScenario();
        QTRY_VERIFY_WITH_TIMEOUT(fleetClients(w) == 40, 30'000);
        // Kill relay-2 by hand, as a person would: the simulated world carries it out.
        HandAction kill;
        kill.kind = events::action_kind::kill;
        kill.target = "relay-2";
        w.submitHandAction(kill);
        QTRY_VERIFY_WITH_TIMEOUT(TopologyModel::effectiveHealth(w.models().topology().node(
                                     w.models().topology().rowOf("relay-2"))) == "down",
                                 30'000);
        QVERIFY(logContains(w, "relay-2", "kill"));
        // Pause: virtual time stands still (nothing new reaches the dashboard).
        w.run().pause();
        QVERIFY(w.run().paused());
        QTest::qWait(300);  // whatever was on its way arrives
        w.pump().drainNow();
        const double frozen = w.models().now();
        const auto applied = w.models().eventsApplied();
        QTest::qWait(1000);
        w.pump().drainNow();
        QCOMPARE(w.models().now(), frozen);
        QCOMPARE(w.models().eventsApplied(), applied);
        // Resume: time moves again. Then Stop ends it early, "interrupted".
        w.run().resume();
        QTRY_VERIFY_WITH_TIMEOUT(w.models().now() > frozen, 30'000);
        w.stopRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w.models().verdict().isEmpty(), 60'000);
        QCOMPARE(w.models().verdict(), QString("interrupted"));
        QVERIFY(w.models().now() < 8.0);  // it did not run to its planned end
    }
};

QTEST_MAIN(SimRunTest)
#include "sim_run_test.moc"
