// The dashboard at scale and in simulation (issue 16): the heat map's cells, colours and names,
// the charts' spread series past a screenful of relays, which world a scenario opens in, the
// simulation pacer, the topology view drawing 1,000 relays as one heat map, and a large
// simulated run's event log opened in the window within a time bound.
#include <QElapsedTimer>
#include <QImage>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/events/event_stream.hpp"
#include "gui/dashboard_models.hpp"
#include "gui/main_window.hpp"
#include "gui/metrics_history.hpp"
#include "gui/relay_heatmap.hpp"
#include "gui/run_world.hpp"
#include "gui/sim_pacer.hpp"
#include "gui/topology_items.hpp"
#include "gui/topology_view.hpp"

#ifdef SWITCHYARD_GUI_HAS_ENGINE
#include "engine/scenario/scenario_parser.hpp"
#include "engine/sim/sim_run.hpp"
#endif

using namespace switchyard;
using namespace switchyard::gui;
using namespace std::chrono_literals;

namespace {

TopologyModel::Node relay(const QString& id, int clients, const QString& process = "ready") {
    TopologyModel::Node n;
    n.id = id;
    n.kind = TopologyModel::Kind::Relay;
    n.process = process;
    n.lbHealth = process == QLatin1String("ready") ? QStringLiteral("up") : QString();
    n.clients = clients;
    return n;
}

/// Events that give the topology `relays` relays ("relay-1".. ready), `perRelay` clients on
/// each, relay `killed` killed afterwards (0 = none).
std::vector<events::event> relaysEvents(int relays, int perRelay, int killed) {
    std::vector<events::event> out;
    std::uint32_t client = 1;
    for (int r = 1; r <= relays; ++r) {
        const std::string id = "relay-" + std::to_string(r);
        out.push_back(events::component_changed{1ms, id, "relay", "ready", 100 + r, 0, 0});
        // relay-1 gets ten times its share: the busiest by far.
        const int n = r == 1 ? 10 * perRelay : perRelay + (r % 3);
        for (int c = 0; c < n; ++c)
            out.push_back(events::client_connected{2ms, client++, id, "fresh", false, "web"});
    }
    if (killed > 0)
        out.push_back(events::component_changed{3ms, "relay-" + std::to_string(killed), "relay",
                                                "killed", 100 + killed, 0, 0});
    return out;
}

double envDouble(const char* name, double fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atof(v) : fallback;
}

long peakRssMiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::atol(line.c_str() + 6) / 1024;
    return -1;
}

}  // namespace

class ScaleTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void heatMapStartsPastTwentyFourRelays() {
        QVERIFY(!useHeatMap(24));
        QVERIFY(useHeatMap(25));
        QVERIFY(useHeatMap(1000));
    }

    void heatColourFollowsHealthThenLoad() {
        const Theme t = Theme::darkTheme();
        QCOMPARE(heatColour("up", 1.0, t), t.up);
        QCOMPARE(heatColour("down", 1.0, t), t.down);
        QCOMPARE(heatColour("down", 0.0, t), t.down);
        QCOMPARE(heatColour("suspect", 0.5, t), t.suspect);
        QCOMPARE(heatColour("spare", 0.5, t), t.health("spare"));
        // An idle relay that is up is dimmer than a busy one, but still not the panel colour.
        const QColor idle = heatColour("up", 0.0, t), busy = heatColour("up", 1.0, t);
        QVERIFY(idle != busy);
        QVERIFY(idle != t.panel);
        QVERIFY(idle.valueF() < busy.valueF());
        // Past full scale it stays full scale.
        QCOMPARE(heatColour("up", 7.0, t), busy);
    }

    void heatMapNamesTheBusiestAndEveryFailedRelay() {
        const Theme t = Theme::darkTheme();
        std::vector<TopologyModel::Node> relays;
        for (int i = 1; i <= 30; ++i)
            relays.push_back(relay(QStringLiteral("relay-%1").arg(i), 100));
        relays[4].clients = 900;   // relay-5
        relays[9].clients = 400;   // relay-10
        relays[19].clients = 400;  // relay-20: ties with relay-10, named after it (by id)
        relays[2] = relay("relay-3", 0, "killed");
        relays[7] = relay("relay-8", 0, "exited");
        relays[7].drained = true;  // ended by a drain: down, but not a failure
        relays[11] = relay("relay-12", 0, "failed");
        const HeatMap m = buildHeatMap(relays, t, 1.0);
        QCOMPARE(int(m.cells.size()), 30);
        QVERIFY(m.columns * m.rows >= 30);
        QVERIFY(m.columns * (m.rows - 1) < 30);
        QCOMPARE(m.cells[0].id, QString("relay-1"));
        QCOMPARE(m.failed, QStringList({"relay-3", "relay-12"}));
        QVERIFY(m.cells[2].failed);
        QVERIFY(!m.cells[7].failed);
        QCOMPARE(m.cells[2].colour, t.down);
        QCOMPARE(m.busiest.size(), kBusiestNamed);
        QCOMPARE(m.busiest[0], QString("relay-5 900"));
        QCOMPARE(m.busiest[1], QString("relay-10 400"));
        QCOMPARE(m.busiest[2], QString("relay-20 400"));
        QVERIFY(m.cells[4].busiest);
        QVERIFY(!m.cells[5].busiest || m.busiest.contains("relay-6 100"));
        // 27 up; load is relative to twice their average.
        QCOMPARE(m.up, 27);
        const double avg = (900 + 400 + 400 + 24 * 100) / 27.0;
        QCOMPARE(m.averageClients, avg);
        QCOMPARE(m.cells[0].load, 100 / (2 * avg));
        QCOMPARE(m.cells[4].load, 1.0);  // 900 > 2 x average: full scale
        QCOMPARE(m.clients, 900 + 400 + 400 + 24 * 100);
    }

    void idleRelaysAreNotNamedBusiest() {
        std::vector<TopologyModel::Node> relays;
        for (int i = 1; i <= 30; ++i)
            relays.push_back(relay(QStringLiteral("relay-%1").arg(i), 0));
        relays[3].clients = 5;
        const HeatMap m = buildHeatMap(relays, Theme::lightTheme());
        QCOMPARE(m.busiest, QStringList({"relay-4 5"}));
    }

    void chartsShowTheSpreadPastTwentyFourRelays() {
        MetricsHistory h;
        events::metrics small;
        small.at = 250ms;
        small.period = 250ms;
        for (int i = 1; i <= 3; ++i)
            small.relays.push_back({"relay-" + std::to_string(i), std::uint32_t(i), 0});
        h.apply(small);
        QCOMPARE(h.clientsPerRelay().size(), 3);
        QVERIFY(h.clientsPerRelay().contains("relay-2"));

        events::metrics big;
        big.at = 500ms;
        big.period = 250ms;
        for (int i = 1; i <= 1000; ++i)
            big.relays.push_back({"relay-" + std::to_string(i), std::uint32_t(i % 10 + 5), 0});
        h.apply(big);
        // One line per relay gives way to three: busiest, average, least busy.
        QCOMPARE(h.clientsPerRelay().size(), 3);
        QCOMPARE(h.clientsPerRelay()[MetricsHistory::kBusiestRelay].points().back().y(), 14.0);
        QCOMPARE(h.clientsPerRelay()[MetricsHistory::kLeastBusyRelay].points().back().y(), 5.0);
        QCOMPARE(h.clientsPerRelay()[MetricsHistory::kAverageRelay].points().back().y(), 9.5);
    }

    void simOnlyFilesOpenInSimulation() {
        const WorldChoice real = chooseWorld(RunWorld::Real, {});
        QCOMPARE(real.world, RunWorld::Real);
        QVERIFY(real.note.isEmpty());
        const WorldChoice sim = chooseWorld(RunWorld::Simulated, {});
        QCOMPARE(sim.world, RunWorld::Simulated);
        QVERIFY(sim.note.isEmpty());
        const WorldChoice forced =
            chooseWorld(RunWorld::Real, {"a.yaml:3:3: relays: 1000 is past 64"});
        QCOMPARE(forced.world, RunWorld::Simulated);
        QVERIFY(forced.note.contains("opened in simulation"));
        QVERIFY(forced.note.contains("a.yaml:3:3"));
    }

    void pacerTimesVirtualTimeBySpeed() {
        const auto t0 = SimPacer::wall_clock::now();
        QCOMPARE(SimPacer::dueAt(1s, t0, 0us, 1.0), t0 + 1s);
        QCOMPARE(SimPacer::dueAt(1s, t0, 0us, 10.0), t0 + 100ms);
        QCOMPARE(SimPacer::dueAt(3s, t0, 1s, 2.0), t0 + 1s);
        QCOMPARE(SimPacer::dueAt(5s, t0, 0us, 0.0), t0);  // as fast as possible
        QCOMPARE(SimPacer::dueAt(1s, t0, 2s, 1.0), t0);   // already past
    }

    void pacerPauseHoldsTheSimulationThreadUntilResume() {
        SimPacer p(0.0);  // as fast as possible: only the pause can hold it
        p.waitUntil(0us);
        p.pause();
        std::atomic<bool> through{false};
        std::thread sim([&] {
            p.waitUntil(1s);
            through = true;
        });
        // It must still be waiting after a while; then resume lets it through.
        QTest::qWait(200);
        QVERIFY(!through.load());
        p.resume();
        QTRY_VERIFY_WITH_TIMEOUT(through.load(), 10'000);
        sim.join();
    }

    void pacerStopReleasesAWait() {
        SimPacer p(1.0);
        p.waitUntil(0us);  // anchors: virtual 0 is now
        std::atomic<bool> through{false};
        std::thread sim([&] {
            p.waitUntil(std::chrono::hours(1));  // an hour of real time away
            through = true;
        });
        QTest::qWait(100);
        QVERIFY(!through.load());
        p.stop();
        QTRY_VERIFY_WITH_TIMEOUT(through.load(), 10'000);
        sim.join();
        // And a speed change re-times a wait already in progress.
        SimPacer q(1.0);
        q.waitUntil(0us);
        std::atomic<bool> done{false};
        std::thread sim2([&] {
            q.waitUntil(std::chrono::hours(1));
            done = true;
        });
        QTest::qWait(100);
        QVERIFY(!done.load());
        q.setSpeed(0.0);
        QTRY_VERIFY_WITH_TIMEOUT(done.load(), 10'000);
        sim2.join();
    }

    void topologyDrawsAThousandRelaysAsOneHeatMap() {
        DashboardModels m;
        TopologyView view(m.topology());
        view.resize(900, 600);
        m.applyBatch(relaysEvents(1000, 3, 17));
        QCoreApplication::processEvents();  // the heat map refreshes once per batch
        QVERIFY(view.heatMapItem() != nullptr);
        QVERIFY(view.nodeItem("relay-1") == nullptr);  // no box per relay
        QVERIFY(view.nodeItem("balancer") != nullptr);
        const HeatMap* map = view.heatMapItem()->heatMap();
        QVERIFY(map != nullptr);
        QCOMPARE(int(map->cells.size()), 1000);
        QCOMPARE(map->failed, QStringList({"relay-17"}));
        QVERIFY(map->busiest.front().startsWith("relay-1 "));
        const QStringList lines = view.heatMapItem()->lines();
        QVERIFY(lines.join("\n").contains("Failed (1): relay-17"));
        QVERIFY(lines.join("\n").contains("1,000 relays"));
        // A click on a cell selects that relay: cell 42 is relay-43.
        // (cells are laid out row by row from the item's top left)
        QString found;
        for (int y = 0; y < 400 && found.isEmpty(); y += 2)
            for (int x = 0; x < 300 && found.isEmpty(); x += 2) {
                const QString id =
                    view.heatMapItem()->relayAt(view.heatMapItem()->mapToScene(QPointF(x, y)));
                if (id == "relay-43")
                    found = id;
            }
        QCOMPARE(found, QString("relay-43"));
        // Past six fleets the fleet boxes are small, with short numbers.
        DashboardModels many;
        TopologyView manyView(many.topology());
        std::vector<events::event> fleetEvents;
        for (std::uint32_t c = 1; c <= 8 * 1500; ++c)
            fleetEvents.push_back(events::client_connected{2ms, c, "relay-1", "fresh", false,
                                                           "f" + std::to_string(c % 8)});
        many.applyBatch(fleetEvents);
        NodeItem* fleet = manyView.nodeItem("f3");
        QVERIFY(fleet != nullptr);
        QCOMPARE(fleet->lines().size(), 2);
        QCOMPARE(fleet->lines().at(1), QString("1.5k connected · 0 reconnects"));
        // Few relays: boxes again.
        DashboardModels few;
        TopologyView small(few.topology());
        few.applyBatch(relaysEvents(3, 2, 0));
        QVERIFY(small.heatMapItem() == nullptr);
        QVERIFY(small.nodeItem("relay-1") != nullptr);
    }

#ifdef SWITCHYARD_GUI_HAS_ENGINE
    /// A large simulated run (the fixture's 1,000 relays, its ten fleets scaled to
    /// SWITCHYARD_GUI_SCALE_CLIENTS clients, 50,000 by default) written as NDJSON by the
    /// simulator, then opened in the window: replayed as fast as possible, every event applied,
    /// the heat map drawn and the window rendered, within SWITCHYARD_GUI_SCALE_BOUND_S (60 s).
    /// SWITCHYARD_GUI_SCALE_LOG=FILE opens an existing log instead (the 1,000,000-client run).
    void largeSimulationLogRendersWithinBound() {
        const double bound = envDouble("SWITCHYARD_GUI_SCALE_BOUND_S", 60);
        QString log = qEnvironmentVariable("SWITCHYARD_GUI_SCALE_LOG");
        double simWall = 0;
        if (log.isEmpty()) {
            const auto clients =
                static_cast<std::uint32_t>(envDouble("SWITCHYARD_GUI_SCALE_CLIENTS", 50'000));
            auto s =
                scenario::parse_scenario_file(SWITCHYARD_GUI_FIXTURES "/scale-1000-relays.yaml");
            for (auto& f : s.fleets) {
                f.count = clients / static_cast<std::uint32_t>(s.fleets.size());
                // The same messages per channel as the full size.
                f.publish_rate_hz *= 1'000'000.0 / clients;
            }
            // One file per size: a hand run at 1,000,000 must not share the CI run's file.
            log = QStringLiteral(SWITCHYARD_GUI_OUTPUT "/scale-sim-%1.ndjson").arg(clients);
            sim::sim_run_options o;
            o.events_path = log.toStdString();
            events::event_stream stream;
            QElapsedTimer simTimer;
            simTimer.start();
            const auto r = sim::run_simulation(s, o, stream);
            simWall = simTimer.elapsed() / 1000.0;
            QCOMPARE(QString::fromStdString(r.verdict), QString("passed"));
        }
        const auto logBytes = std::filesystem::file_size(log.toStdString());

        MainWindow w;
        w.resize(1366, 800);
        w.show();
        QElapsedTimer timer;
        timer.start();
        QString err;
        QVERIFY2(w.openEvents(log, &err), qPrintable(err));
        const double loadS = timer.elapsed() / 1000.0;
        const auto total = w.replay().events().size();
        w.setReplaySpeed(0);
        w.startReplay();
        // Everything applied: the replay pushed it all and the pump drained it (delivery samples
        // past 64 per batch are thinned by design: counted, not applied).
        QTRY_VERIFY_WITH_TIMEOUT(w.replay().finished(), static_cast<int>(bound * 1000));
        const double pushedS = timer.elapsed() / 1000.0;
        QTRY_VERIFY_WITH_TIMEOUT(w.models().eventsApplied() + w.pump().droppedSamples() >= total,
                                 static_cast<int>(bound * 1000));
        QCOMPARE(w.pump().droppedEvents(), std::uint64_t{0});
        QCoreApplication::processEvents();
        const QImage shot = w.grab().toImage();
        const double renderS = timer.elapsed() / 1000.0;
        std::printf(
            "scale: %zu events (%.1f MiB log%s), window open %.1f s (read %.1f s), bound %.0f "
            "s, all pushed at %.1f s; peak RSS %ld MiB; %d relays in the heat map, %d failed\n",
            total, static_cast<double>(logBytes) / (1 << 20),
            simWall > 0 ? qPrintable(QStringLiteral(", simulated in %1 s").arg(simWall, 0, 'f', 1))
                        : "",
            renderS, loadS, bound, pushedS, peakRssMiB(),
            w.topologyView().heatMapItem()
                ? int(w.topologyView().heatMapItem()->heatMap()->cells.size())
                : 0,
            w.topologyView().heatMapItem()
                ? int(w.topologyView().heatMapItem()->heatMap()->failed.size())
                : 0);
        std::fflush(stdout);
        QVERIFY2(renderS < bound, qPrintable(QStringLiteral("%1 s").arg(renderS)));
        QVERIFY(!shot.isNull());
        // What it shows: 1,000 relays as one heat map naming the three killed relays, the
        // verdict, and the clients the simulation connected.
        NodeItem* heat = w.topologyView().heatMapItem();
        QVERIFY(heat != nullptr);
        QCOMPARE(int(heat->heatMap()->cells.size()), 1000);
        QCOMPARE(heat->heatMap()->failed, QStringList({"relay-7", "relay-300", "relay-901"}));
        QCOMPARE(w.models().verdict(), QString("passed"));
        int connected = 0;
        for (int r = 0; r < w.models().topology().rowCount(); ++r)
            if (w.models().topology().node(r).kind == TopologyModel::Kind::Fleet)
                connected += w.models().topology().node(r).clients;
        QVERIFY2(connected > 0, "no client connected");
        // The charts show the spread, not a line per relay.
        QCOMPARE(w.models().history().clientsPerRelay().size(), 3);
        if (const QString dir = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(shot.save(dir + "/gui-heatmap-1000-relays.png"));
    }
#endif
};

QTEST_MAIN(ScaleTest)
#include "scale_test.moc"
