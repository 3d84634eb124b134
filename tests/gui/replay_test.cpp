// Replay of recorded event logs at speed, pause, hand actions saved into a session that
// replays again, and responsiveness of the whole window under a 1,000-client event storm.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>
#include <fstream>
#include <thread>

#include "demo_session.hpp"
#include "engine/events/event_stream.hpp"
#include "engine/events/ndjson.hpp"
#include "gui/main_window.hpp"
#include "gui/replay_driver.hpp"
#include "gui/timeline_widget.hpp"
#include "gui/topology_items.hpp"
#include "gui/topology_view.hpp"

#include <QContextMenuEvent>
#include <QGraphicsScene>
#include <QSignalSpy>

using namespace switchyard;
using namespace switchyard::gui;

namespace {

const QString kFixture = QStringLiteral(SWITCHYARD_GUI_FIXTURES "/failover_small.ndjson");

std::vector<events::event> readFile(const QString& path) {
    std::ifstream in(path.toStdString());
    return events::read_ndjson(in);
}

}  // namespace

class ReplayTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void replayAtSpeedTakesScaledTime() {
        EventPump pump;
        DashboardModels replayed;
        connect(&pump, &EventPump::batchReady, &replayed, &DashboardModels::applyBatch);
        ReplayDriver replay(pump);
        QString err;
        QVERIFY2(replay.load(kFixture, &err), qPrintable(err));
        QCOMPARE(replay.length(), 6.0001);
        replay.setSpeed(10);
        QElapsedTimer wall;
        wall.start();
        replay.play();
        QTRY_VERIFY_WITH_TIMEOUT(replay.finished(), 10'000);
        const qint64 ms = wall.elapsed();
        pump.drainNow();
        // 6 s of run at 10× is 0.6 s of wall time (minus one tick of slack).
        QVERIFY2(ms >= 600 - ReplayDriver::kTickMs && ms < 4000, qPrintable(QString::number(ms)));
        // The replayed models end where applying the file directly ends.
        DashboardModels direct;
        direct.applyBatch(readFile(kFixture));
        QCOMPARE(replayed.topology().rowCount(), direct.topology().rowCount());
        for (int r = 0; r < direct.topology().rowCount(); ++r)
            for (int c = 0; c < TopologyModel::ColumnCount; ++c)
                QCOMPARE(replayed.topology().index(r, c).data(),
                         direct.topology().index(r, c).data());
        QCOMPARE(replayed.log().rowCount(), direct.log().rowCount());
        QCOMPARE(replayed.verdict(), QString("failed"));
    }

    void pauseStopsAndPlayResumes() {
        EventPump pump;
        ReplayDriver replay(pump);
        QVERIFY(replay.load(kFixture, nullptr));
        replay.setSpeed(1);
        replay.play();
        QTRY_VERIFY_WITH_TIMEOUT(replay.pushed() > 0, 2000);
        replay.pause();
        const std::size_t pushed = replay.pushed();
        const double at = replay.position();
        QTest::qWait(300);
        QCOMPARE(replay.pushed(), pushed);
        QCOMPARE(replay.position(), at);
        QVERIFY(!replay.finished());
        replay.setSpeed(0);  // as fast as possible
        replay.play();
        QTRY_VERIFY_WITH_TIMEOUT(replay.finished(), 2000);
        QCOMPARE(replay.pushed(), std::size_t{32});
    }

    void seekGoesBackAndForth() {
        MainWindow w;
        QVERIFY(w.openEvents(kFixture));
        const auto& t = w.models().topology();
        w.seekReplay(3.5);
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-2"))), QString("down"));
        QVERIFY(t.faults().contains("relay-3-redis"));
        const int rowsAt35 = w.models().log().rowCount();
        w.seekReplay(1.5);  // back: before the kill
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-2"))), QString("up"));
        QVERIFY(t.faults().isEmpty());
        QVERIFY(w.models().log().rowCount() < rowsAt35);
        QCOMPARE(w.models().planned().size(), std::size_t{3});  // still known ahead
        w.seekReplay(7);
        QCOMPARE(w.models().verdict(), QString("failed"));
        QVERIFY(w.replay().finished());
        // Clicking the timeline strip asks for a seek to the time under the mouse.
        w.resize(1366, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy seek(&w.timeline(), &TimelineWidget::seekRequested);
        QTest::mouseClick(&w.timeline(), Qt::LeftButton, {}, QPoint(w.timeline().width() - 20, 20));
        QCOMPARE(seek.count(), 1);
        QVERIFY(seek.at(0).at(0).toDouble() > 5.0);
    }

    void badFileNamesTheLine() {
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.ndjson");
        {
            std::ofstream out(path.toStdString());
            out << R"({"type":"log","at_us":1,"level":"info","text":"ok"})"
                << "\n";
            out << R"({"type":"no_such_event","at_us":2})"
                << "\n";
        }
        EventPump pump;
        ReplayDriver replay(pump);
        QString err;
        QVERIFY(!replay.load(path, &err));
        QVERIFY2(err.contains("2") && err.contains("no_such_event"), qPrintable(err));
        QVERIFY(!replay.load(dir.filePath("missing.ndjson"), &err));
        QVERIFY(err.contains("cannot open"));
    }

    void handActionsSaveAndReplay() {
        QTemporaryDir dir;
        const QString saved = dir.filePath("session.ndjson");
        {
            MainWindow w;
            QString err;
            QVERIFY2(w.openEvents(kFixture, &err), qPrintable(err));
            w.setReplaySpeed(0);
            w.startReplay();
            QTRY_VERIFY_WITH_TIMEOUT(w.replay().finished(), 5000);
            w.pump().drainNow();
            QCOMPARE(w.models().log().rowCount(), 29);
            HandAction kill;
            kill.kind = events::action_kind::kill;
            kill.target = "relay-1";
            w.submitHandAction(kill);
            HandAction partition;
            partition.kind = events::action_kind::fault;
            partition.target = "relay-3-redis";
            partition.toxic = "partition";
            w.submitHandAction(partition);
            QCOMPARE(w.models().log().rowCount(), 31);
            QVERIFY(w.models()
                        .log()
                        .index(30, EventLogModel::Text)
                        .data()
                        .toString()
                        .contains("[hand] fault relay-3-redis"));
            QVERIFY2(w.saveSession(saved, &err), qPrintable(err));
        }
        const auto session = readFile(saved);
        QCOMPARE(session.size(), std::size_t{34});
        const auto& last = std::get<events::action_applied>(session.back());
        QCOMPARE(last.source, std::string("hand"));
        QCOMPARE(last.target, std::string("relay-3-redis"));
        QCOMPARE(last.detail, std::string("toxic=partition"));
        // The saved session replays like any other log, hand actions included.
        MainWindow again;
        QVERIFY(again.openEvents(saved));
        again.setReplaySpeed(0);
        again.startReplay();
        QTRY_VERIFY_WITH_TIMEOUT(again.replay().finished(), 5000);
        again.pump().drainNow();
        QCOMPARE(again.models().log().rowCount(), 31);
        QCOMPARE(again.models().history().markers().size(), std::size_t{5});  // 3 + 2 hand actions
    }

    void demoSessionReplaysToItsEnd() {
        QTemporaryDir dir;
        const QString path = dir.filePath("demo.ndjson");
        {
            std::ofstream out(path.toStdString());
            for (const auto& e : testing::makeDemoSession())
                out << events::to_ndjson(e) << '\n';
        }
        MainWindow w;
        QVERIFY(w.openEvents(path));
        w.setReplaySpeed(0);
        w.startReplay();
        QTRY_VERIFY_WITH_TIMEOUT(w.replay().finished(), 10'000);
        w.pump().drainNow();
        const TopologyModel& t = w.models().topology();
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-2"))),
                 QString("up"));  // restarted
        // One box per fleet (the placeholder "clients" box was taken over by the first fleet).
        QCOMPARE(t.fleets(), QStringList({"web", "mobile"}));
        QCOMPARE(t.node(t.rowOf("web")).clients + t.node(t.rowOf("mobile")).clients, 300);
        QCOMPARE(t.node(t.rowOf("mobile")).clients, 75);
        QCOMPARE(t.node(t.rowOf("relay-2")).clients,
                 0);  // failed-over clients stay where they went
        QCOMPARE(w.models().assertions().failed(), 1);
        QCOMPARE(w.models().assertions().passed(), 5);
        QVERIFY(w.models().planned().size() >= 4);  // actions and faults known ahead
    }

    // The topology picture: relay boxes read their state, a click selects a relay, right
    // clicks ask for the relay / Redis / link menus, and the flow dots are capped.
    void topologyViewInteractions() {
        DashboardModels m;
        TopologyView view(m.topology());
        view.resize(900, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        m.applyBatch(readFile(kFixture));
        NodeItem* relay2 = view.nodeItem("relay-2");
        QVERIFY(relay2);
        QCOMPARE(relay2->health(), QString("down"));
        QCOMPARE(relay2->lines().value(1), QString("DOWN · killed"));
        QVERIFY(view.nodeItem("relay-1")->lines().join(' ').contains("failover 1"));

        auto centreOf = [&](NodeItem* n) {
            return view.mapFromScene(
                n->mapToScene(QPointF(n->size().width() / 2, n->size().height() / 2)));
        };
        QSignalSpy selected(&view, &TopologyView::relaySelected);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centreOf(relay2));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(view.selectedRelay(), QString("relay-2"));

        QSignalSpy relayMenu(&view, &TopologyView::relayMenuRequested);
        QSignalSpy redisMenu(&view, &TopologyView::redisMenuRequested);
        QSignalSpy linkMenu(&view, &TopologyView::linkMenuRequested);
        auto rightClick = [&](QPoint p) {
            QContextMenuEvent e(QContextMenuEvent::Mouse, p, view.viewport()->mapToGlobal(p));
            QApplication::sendEvent(view.viewport(), &e);
        };
        rightClick(centreOf(view.nodeItem("relay-3")));
        QCOMPARE(relayMenu.count(), 1);
        QCOMPARE(relayMenu.at(0).at(0).toString(), QString("relay-3"));
        rightClick(centreOf(view.nodeItem("redis")));
        QCOMPARE(redisMenu.count(), 1);
        // Midway between the balancer and relay-1 lies their link.
        NodeItem* balancer = view.nodeItem("balancer");
        NodeItem* relay1 = view.nodeItem("relay-1");
        rightClick(view.mapFromScene((balancer->rightAnchor() + relay1->leftAnchor()) / 2));
        QCOMPARE(linkMenu.count(), 1);
        QCOMPARE(linkMenu.at(0).at(0).toString(), QString("balancer-relay-1"));

        std::vector<events::delivery_sample> burst(
            1000, events::delivery_sample{{}, 1, 3, "relay-3", "global", 1, {}, false});
        view.showDeliveries(burst);
        QCOMPARE(view.activeDots(), TopologyView::kMaxDots);
        // Dots finish their path and go away.
        QTRY_COMPARE_WITH_TIMEOUT(view.activeDots(), 0, 5000);
    }

    // One box per fleet in the picture, each with its edge to the balancer, its counts and its
    // placement mix; a delivery dot starts at the publisher's fleet and ends at the receiver's.
    void topologyDrawsEachFleet() {
        DashboardModels m;
        TopologyView view(m.topology());
        view.resize(900, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        std::vector<events::event> demo;
        for (auto& e : testing::makeDemoSession())
            if (events::event_time(e) <= events::micros{14'000'000})
                demo.push_back(std::move(e));
        m.applyBatch(demo);
        NodeItem* web = view.nodeItem("web");
        NodeItem* mobile = view.nodeItem("mobile");
        QVERIFY(web && mobile);
        QVERIFY(!view.nodeItem("clients"));
        QCOMPARE(web->lines().value(0), QString("Clients · web"));
        QCOMPARE(web->lines().value(1), QString("225 connected · 75 reconnects"));
        QVERIFY2(mobile->lines().join(' ').contains("failover 25"),
                 qPrintable(mobile->lines().join(' ')));
        // Two fleets stacked on the left, both joined to the balancer by the client link.
        QVERIFY(std::abs(web->pos().x() - mobile->pos().x()) < 1);
        QVERIFY(web->pos().y() + web->size().height() <= mobile->pos().y());
        int fleetEdges = 0;
        for (QGraphicsItem* i : view.scene()->items())
            if (i->type() == EdgeItem::Type &&
                static_cast<EdgeItem*>(i)->from()->kind() == TopologyModel::Kind::Fleet) {
                QCOMPARE(static_cast<EdgeItem*>(i)->link(), QString("client-balancer"));
                ++fleetEdges;
            }
        QCOMPARE(fleetEdges, 2);
        // Client 3 is mobile, client 0 web: a dot from 3 to 0 leaves mobile, arrives at web.
        view.showDeliveries({events::delivery_sample{{}, 3, 0, "relay-1", "global", 1, {}, false}});
        QCOMPARE(view.activeDots(), 1);
    }

    // 1,000 clients connecting, reconnect churn and thousands of sampled deliveries a second,
    // published from an engine thread: the UI thread keeps ticking.
    void staysResponsiveUnderLoad() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        events::event_stream stream;
        w.pump().attach(stream);

        QElapsedTimer beat;
        qint64 worstGapMs = 0;
        int beats = 0;
        QTimer heartbeat;
        heartbeat.setInterval(10);
        connect(&heartbeat, &QTimer::timeout, this, [&] {
            if (beat.isValid())
                worstGapMs = std::max(worstGapMs, beat.restart());
            else
                beat.start();
            ++beats;
        });
        heartbeat.start();

        constexpr std::uint32_t kClients = 1000;
        constexpr int kSecondsOfTraffic = 3;
        constexpr int kSamplesPerSecond = 5000;
        std::atomic<std::uint64_t> published{0};
        std::thread engine([&] {
            const auto start = std::chrono::steady_clock::now();
            auto now = [&] {
                return std::chrono::duration_cast<events::micros>(std::chrono::steady_clock::now() -
                                                                  start);
            };
            const char* relays[] = {"relay-1", "relay-2", "relay-3"};
            for (int r = 0; r < 3; ++r)
                stream.publish(
                    events::component_changed{now(), relays[r], "relay", "ready", 1, 1, 1});
            for (std::uint32_t c = 0; c < kClients; ++c)
                stream.publish(events::client_connected{now(), c, relays[c % 3], "fresh", false});
            std::uint32_t seq = 0;
            for (int period = 0; period < kSecondsOfTraffic * 4; ++period) {
                const auto periodStart = std::chrono::steady_clock::now();
                for (int s = 0; s < kSamplesPerSecond / 4; ++s)
                    stream.publish(events::delivery_sample{
                        now(), seq % kClients, (seq * 7) % kClients, relays[seq % 3], "global",
                        ++seq, events::micros{1500}, false});
                for (std::uint32_t c = 0; c < 25; ++c) {  // churn: 100 reconnects/s
                    const std::uint32_t id = (period * 25 + c) % kClients;
                    stream.publish(events::client_disconnected{now(), id, relays[id % 3], "churn"});
                    stream.publish(events::client_connected{now(), id, relays[(id + 1) % 3],
                                                            "failover", true});
                }
                events::metrics m;
                m.at = now();
                m.period = events::micros{250'000};
                m.publishes = 1000;
                m.deliveries = 1000 * kClients;
                m.publishes_per_s = 4000;
                m.deliveries_per_s = 4'000'000;
                m.latency_p50 = events::micros{1500};
                m.latency_p99 = events::micros{9000};
                m.clients_connected = kClients;
                for (int r = 0; r < 3; ++r)
                    m.relays.push_back(
                        events::relay_load{relays[r], kClients / 3, m.deliveries / 3});
                stream.publish(m);
                std::this_thread::sleep_until(periodStart + std::chrono::milliseconds(250));
            }
            published = stream.published();
        });
        QTRY_VERIFY_WITH_TIMEOUT(published.load() > 0, 30'000);
        engine.join();
        w.pump().drainNow();
        heartbeat.stop();
        w.pump().detach();
        const auto& t = w.models().topology();
        QCOMPARE(t.node(t.rowOf("clients")).clients, static_cast<int>(kClients));
        QCOMPARE(t.node(t.rowOf("clients")).reconnects, kSecondsOfTraffic * 4 * 25);
        qInfo(
            "load: %llu events published, %llu batches, %llu samples thinned, worst UI gap %lld ms "
            "over %d beats",
            static_cast<unsigned long long>(published.load()),
            static_cast<unsigned long long>(w.pump().batches()),
            static_cast<unsigned long long>(w.pump().droppedSamples()), worstGapMs, beats);
        QVERIFY(w.topologyView().activeDots() <= TopologyView::kMaxDots);
        // A 2-core CI box shared with other jobs: generous, but a blocking UI would show seconds.
        QVERIFY2(worstGapMs < 400, qPrintable(QString::number(worstGapMs)));
    }
};

QTEST_MAIN(ReplayTest)
#include "replay_test.moc"
