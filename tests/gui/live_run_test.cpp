// A real short run in-process, rendered headless: redis-server, three switchyard-relay
// processes, switchyard-lb and a fleet, with relay-2 killed by the timeline and a hand action
// sent from the dashboard while the run goes on.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include "gui/live_run.hpp"
#include "gui/main_window.hpp"
#include "live_window_setup.hpp"

using namespace switchyard;
using namespace switchyard::gui;

namespace {

constexpr const char* kScenario = R"(name: gui-live
seed: 3
duration: 6s
drain: 1s
metrics_interval: 250ms
cluster:
  relays:
    count: 3
  bus: redis
clients:
  - name: clients
    count: 30
    ramp: 1s
    publish_rate_hz: 2
timeline:
  - at: 2500ms
    kill: relay-2
expect:
  delivery_ratio: 0.5
  reconnects: {min: 1}
)";

bool logContains(MainWindow& w, const QString& a, const QString& b) {
    const auto& log = w.models().log();
    for (int r = 0; r < log.rowCount(); ++r) {
        const QString text = log.index(r, EventLogModel::Subject).data().toString() +
                             QLatin1Char(' ') + log.index(r, EventLogModel::Text).data().toString();
        if (text.contains(a) && text.contains(b))
            return true;
    }
    return false;
}

}  // namespace

class LiveRunTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void shortScenarioRunsAndRenders() {
        QVERIFY(LiveRun::available());
        QTemporaryDir dir;
        const QString path = testing::write_scenario_file(dir, "gui-live.yaml", kScenario);
        QVERIFY(!path.isEmpty());
        MainWindow w;
        QString err;
        QVERIFY2(testing::show_and_open(w, path, &err), qPrintable(err));
        QCOMPARE(w.models().assertions().rowCount(), 2);  // planned before the run
        QCOMPARE(w.models().planned().size(), std::size_t{1});
        w.runScenario();
        QVERIFY(w.liveRun());

        // Clients land on the relays; then a hand action goes to the engine.
        QTRY_VERIFY_WITH_TIMEOUT(
            w.models().topology().node(w.models().topology().rowOf("clients")).clients >= 20,
            30'000);
        HandAction rate;
        rate.kind = events::action_kind::set_rate;
        rate.target = "clients";
        rate.rate = 3;
        w.submitHandAction(rate);

        // Stop and continue relay-1 by hand: the picture follows the process.
        const auto& topo = w.models().topology();
        HandAction stop;
        stop.kind = events::action_kind::stop;
        stop.target = "relay-1";
        w.submitHandAction(stop);
        QTRY_COMPARE_WITH_TIMEOUT(topo.node(topo.rowOf("relay-1")).process, QString("stopped"),
                                  10'000);
        QCOMPARE(TopologyModel::effectiveHealth(topo.node(topo.rowOf("relay-1"))),
                 QString("suspect"));
        HandAction cont = stop;
        cont.kind = events::action_kind::cont;
        w.submitHandAction(cont);
        QTRY_VERIFY_WITH_TIMEOUT(topo.node(topo.rowOf("relay-1")).process != QString("stopped"),
                                 10'000);

        // A hand fault on a link shows on its edge while it is set.
        HandAction fault;
        fault.kind = events::action_kind::fault;
        fault.target = "balancer-relay-1";
        fault.toxic = "latency";
        fault.latencyMs = 50;
        w.submitHandAction(fault);
        QTRY_VERIFY_WITH_TIMEOUT(w.models().topology().faults().contains("balancer-relay-1"),
                                 10'000);
        HandAction clear;
        clear.kind = events::action_kind::clear_fault;
        clear.target = "balancer-relay-1";
        w.submitHandAction(clear);
        QTRY_VERIFY_WITH_TIMEOUT(!w.models().topology().faults().contains("balancer-relay-1"),
                                 10'000);

        QTRY_VERIFY_WITH_TIMEOUT(!w.models().verdict().isEmpty(), 60'000);
        w.pump().drainNow();
        QTRY_VERIFY_WITH_TIMEOUT(!w.liveRun(), 30'000);

        const auto& t = w.models().topology();
        for (const char* r : {"relay-1", "relay-2", "relay-3"})
            QVERIFY2(t.rowOf(r) >= 0, r);
        QVERIFY(logContains(w, "relay-2", "killed"));
        QVERIFY(logContains(w, "[timeline]", "kill relay-2"));
        QVERIFY(logContains(w, "[hand]", "set_rate"));
        QVERIFY(logContains(w, "[hand]", "fault balancer-relay-1"));
        QVERIFY(w.models().history().published().size() > 4);
        QVERIFY(w.models().history().delivered().maxSince(0) > 0);
        for (int r = 0; r < w.models().assertions().rowCount(); ++r)
            QVERIFY(w.models().assertions().row(r).state != AssertionsModel::State::Pending);
        // The hand action is in the session record, so a saved session replays it.
        bool handSeen = false;
        for (const auto& e : w.pump().session())
            if (const auto* a = std::get_if<events::action_applied>(&e))
                if (a->source == "hand") {
                    QVERIFY2(a->ok, a->error.c_str());  // applied by the engine, not just logged
                    handSeen = handSeen || a->kind == events::action_kind::set_rate;
                }
        QVERIFY(handSeen);

        QTest::qWait(300);
        const QImage img = w.grab().toImage();
        QVERIFY(img.save(QStringLiteral(SWITCHYARD_GUI_OUTPUT "/gui-live-run.png")));
        const QString docs = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
        if (!docs.isEmpty())
            QVERIFY(img.save(QDir(docs).filePath("gui-live-run.png")));
    }

    // Asked for the real world, a file only the simulator runs is not refused: it opens in
    // simulation, and the note says where and why the real world cannot run it, as
    // `switchyard run` does.
    void simOnlyFileOpensInSimulation() {
        const QString path = QStringLiteral(SWITCHYARD_SOURCE_DIR "/scenarios/sim/two-zones.yaml");
        MainWindow w;
        w.setWorld(RunWorld::Real);
        QString err;
        QVERIFY2(testing::show_and_open(w, path, &err), qPrintable(err));
        QCOMPARE(w.world(), RunWorld::Simulated);
        const QString note = w.run().worldNote();
        QVERIFY2(note.contains(QStringLiteral("two-zones.yaml:25:3: zones: only the simulator "
                                              "models zones")),
                 qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("run it with `switchyard sim`")), qPrintable(note));
        QVERIFY(!w.liveRun());  // opened, not started
    }
};

QTEST_MAIN(LiveRunTest)
#include "live_run_test.moc"
