// The dashboard's models, fed from a literal NDJSON fixture (a kill-one-relay run) read with
// the engine's own reader: topology, relay table, event log and filter, assertions, chart
// history, the event pump and hand actions.
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <fstream>
#include <thread>

#include "engine/events/event_stream.hpp"
#include "engine/events/ndjson.hpp"
#include "gui/command_sink.hpp"
#include "gui/dashboard_models.hpp"
#include "gui/event_pump.hpp"

using namespace switchyard;
using namespace switchyard::gui;

namespace {

std::vector<events::event> fixture() {
    std::ifstream in(SWITCHYARD_GUI_FIXTURES "/failover_small.ndjson");
    return events::read_ndjson(in);
}

/// The fixture's events up to and including time `until_us`.
std::vector<events::event> fixtureUntil(std::int64_t until_us) {
    std::vector<events::event> out;
    for (auto& e : fixture())
        if (events::event_time(e).count() <= until_us)
            out.push_back(e);
    return out;
}

QVariant cell(const QAbstractItemModel& m, int row, int col) {
    return m.index(row, col).data();
}

}  // namespace

class ModelsTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void fixtureRoundTripsThroughEngineSerializer() {
        const auto events = fixture();
        QCOMPARE(events.size(), std::size_t{32});
        for (const auto& e : events) {
            const std::string once = events::to_ndjson(e);
            QCOMPARE(events::to_ndjson(events::from_ndjson(once)), once);
        }
        QVERIFY(std::holds_alternative<events::run_started>(events.front()));
        QVERIFY(std::holds_alternative<events::run_finished>(events.back()));
    }

    void topologyFollowsTheRun() {
        DashboardModels m;
        m.applyBatch(fixture());
        const TopologyModel& t = m.topology();
        QCOMPARE(t.rowCount(), 6);  // clients, balancer, redis, three relays
        const int r1 = t.rowOf("relay-1"), r2 = t.rowOf("relay-2"), r3 = t.rowOf("relay-3");
        QVERIFY(r1 >= 0 && r2 >= 0 && r3 >= 0);
        // relay-2 was killed: down whatever else is known, no clients left.
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r2)), QString("down"));
        QCOMPARE(t.node(r2).process, QString("killed"));
        QCOMPARE(t.node(r2).clients, 0);
        QCOMPARE(t.node(r2).placement[TopologyModel::PlacementFresh], 0);
        // Its two clients failed over, one to each survivor.
        QCOMPARE(t.node(r1).clients, 3);
        QCOMPARE(t.node(r1).placement[TopologyModel::PlacementFresh], 2);
        QCOMPARE(t.node(r1).placement[TopologyModel::PlacementFailover], 1);
        QCOMPARE(t.node(r3).placement[TopologyModel::PlacementSticky], 1);
        QCOMPARE(t.node(r3).placement[TopologyModel::PlacementFailover], 1);
        QCOMPARE(t.node(r1).reconnects, 1);
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r1)), QString("up"));
        // Traffic: deliveries of the last period / period.
        QCOMPARE(t.node(r1).rate, 180 / 0.25);
        const auto& fleet = t.node(t.rowOf("clients"));
        QCOMPARE(fleet.clients, 6);
        QCOMPARE(fleet.reconnects, 2);
        QCOMPARE(t.node(t.rowOf("balancer")).process, QString("ready"));
        QCOMPARE(t.relayOfClient(5), QString("relay-3"));
        QVERIFY(t.faults().isEmpty());  // set at 3 s, cleared at 4 s
        // A relay left out of a metrics period delivered nothing in it.
        events::metrics quiet;
        quiet.at = events::micros{6'500'000};
        quiet.period = events::micros{250'000};
        quiet.relays = {events::relay_load{"relay-1", 3, 10}};
        m.apply(quiet);
        QCOMPARE(t.node(r3).rate, 0.0);
        QCOMPARE(t.node(r1).rate, 40.0);
        // Stopped reads suspect until the balancer says down; draining reads draining.
        m.apply(events::component_changed{events::micros{6'600'000}, "relay-1", "relay", "stopped",
                                          101, 1, 2});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r1)), QString("suspect"));
        m.apply(events::health_changed{events::micros{6'700'000}, "relay-1", "up", "down"});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r1)), QString("down"));
        m.apply(events::component_changed{events::micros{6'800'000}, "relay-3", "relay", "draining",
                                          103, 1, 2});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r3)), QString("draining"));
        QCOMPARE(
            m.relays().index(2, TopologyModel::Health - 1).data(Qt::ForegroundRole).value<QColor>(),
            Theme::darkTheme().draining);
        m.apply(events::component_changed{events::micros{6'900'000}, "relay-3", "relay", "exited",
                                          103, 0, 0});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(r3)), QString("down"));  // drained, gone
        QCOMPARE(TopologyModel::processText(t.node(r3)), QString("exited after drain"));
        QCOMPARE(t.node(r3).pid, 103);
        // A spare the balancer knows (down) but nobody started reads "spare", not "down".
        m.apply(events::health_changed{events::micros{7'000'000}, "relay-4", "", "down"});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-4"))), QString("spare"));
        m.apply(events::health_changed{events::micros{7'050'000}, "relay-4", "down", "up"});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-4"))), QString("spare"));
        m.apply(events::component_changed{events::micros{7'100'000}, "relay-4", "relay", "ready", 9,
                                          1, 2});
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-4"))), QString("up"));
    }

    // Client events name their fleet: one box per fleet with its own counts and placement mix.
    // Old logs without the field (the fixture) keep the one "clients" box (tested above).
    void topologyHasOneBoxPerFleet() {
        using events::micros;
        // Two lines as a `switchyard run --events` log writes them today, one as older logs did.
        std::vector<events::event> batch{
            events::from_ndjson(R"({"type":"run_started","at_us":0,"scenario":"two-fleets"})"),
            events::from_ndjson(
                R"({"type":"client_connected","at_us":10,"client":0,"relay":"relay-1",)"
                R"("placement":"fresh","reconnect":false,"fleet":"web"})"),
            events::from_ndjson(
                R"({"type":"client_connected","at_us":11,"client":1,"relay":"relay-2",)"
                R"("placement":"sticky","reconnect":false,"fleet":"mobile"})")};
        batch.push_back(events::client_connected{micros{12}, 2, "relay-2", "fresh", false, "web"});
        batch.push_back(events::client_connected{micros{13}, 3, "relay-1", "fresh", false, "web"});
        DashboardModels m;
        QSignalSpy layout(&m.topology(), &QAbstractItemModel::layoutChanged);
        m.applyBatch(batch);
        const TopologyModel& t = m.topology();
        // The placeholder box became "web" (renamed in place), "mobile" was added.
        QCOMPARE(t.fleets(), QStringList({"web", "mobile"}));
        QCOMPARE(t.rowOf("clients"), -1);
        QCOMPARE(t.rowOf("web"), 0);
        QCOMPARE(layout.count(), 1);
        const auto& web = t.node(t.rowOf("web"));
        const auto& mobile = t.node(t.rowOf("mobile"));
        QCOMPARE(web.kind, TopologyModel::Kind::Fleet);
        QCOMPARE(web.clients, 3);
        QCOMPARE(web.placement[TopologyModel::PlacementFresh], 3);
        QCOMPARE(mobile.clients, 1);
        QCOMPARE(mobile.placement[TopologyModel::PlacementSticky], 1);
        QCOMPARE(t.fleetOfClient(1), QString("mobile"));

        // relay-2 dies: its web and mobile clients fail over, each fleet keeps its own mix.
        m.applyBatch(
            {events::client_disconnected{micros{20}, 1, "relay-2", "1006", "mobile"},
             events::client_disconnected{micros{21}, 2, "relay-2", "1006", "web"},
             events::connect_failed{micros{22}, 1, "HTTP 502", "mobile"},
             events::client_connected{micros{23}, 1, "relay-1", "failover", true, "mobile"},
             events::client_connected{micros{24}, 2, "relay-1", "failover", true, "web"}});
        QCOMPARE(web.clients, 3);
        QCOMPARE(web.placement[TopologyModel::PlacementFresh], 2);
        QCOMPARE(web.placement[TopologyModel::PlacementFailover], 1);
        QCOMPARE(web.reconnects, 1);
        QCOMPARE(web.connectFailures, 0);
        QCOMPARE(mobile.clients, 1);
        QCOMPARE(mobile.placement[TopologyModel::PlacementSticky], 0);
        QCOMPARE(mobile.placement[TopologyModel::PlacementFailover], 1);
        QCOMPARE(mobile.connectFailures, 1);
        QCOMPARE(t.node(t.rowOf("relay-1")).clients, 4);

        // Metrics hold totals only: with two fleets each keeps its own count, no own rate.
        events::metrics period;
        period.at = micros{250'000};
        period.period = micros{250'000};
        period.publishes_per_s = 40;
        period.clients_connected = 4;
        m.apply(period);
        QCOMPARE(web.clients, 3);
        QCOMPARE(web.rate, 0.0);

        // The event log names the fleet, so "mobile" filters to that fleet's clients.
        m.logFilter().setText("fleet mobile");
        QCOMPARE(m.logFilter().rowCount(), 4);  // connect, drop, failed connect, failover

        // A fleet named like another node stays a separate box.
        m.apply(events::client_connected{micros{30}, 9, "relay-1", "fresh", false, "balancer"});
        QCOMPARE(t.node(t.rowOf("balancer")).kind, TopologyModel::Kind::Balancer);
        QCOMPARE(t.node(t.rowOf("fleet balancer")).clients, 1);
    }

    // A live run knows its scenario's fleets: their boxes exist from the start, in its order,
    // whichever fleet's clients connect first.
    void topologyKnowsScenarioFleetsAhead() {
        DashboardModels m;
        m.topology().setKnownFleets({"web", "mobile"});
        m.clear();
        QCOMPARE(m.topology().fleets(), QStringList({"web", "mobile"}));
        m.applyBatch(
            {events::run_started{},
             events::client_connected{events::micros{1}, 0, "relay-1", "fresh", false, "mobile"}});
        QCOMPARE(m.topology().fleets(), QStringList({"web", "mobile"}));
        QCOMPARE(m.topology().node(m.topology().rowOf("mobile")).clients, 1);
        QCOMPARE(m.topology().node(m.topology().rowOf("web")).clients, 0);
        m.topology().setKnownFleets({});
        m.clear();
        QCOMPARE(m.topology().fleets(), QStringList({"clients"}));
    }

    void topologyShowsFaultWhileActive() {
        DashboardModels m;
        QSignalSpy faults(&m.topology(), &TopologyModel::faultsChanged);
        m.applyBatch(fixtureUntil(3'500'000));
        QCOMPARE(m.topology().faults().value("relay-3-redis"), QString("latency latency=200ms"));
        QVERIFY(faults.count() >= 1);
    }

    void topologyEmitsOneRowPerChange() {
        DashboardModels m;
        m.applyBatch(fixtureUntil(1'500'000));
        QSignalSpy changed(&m.topology(), &QAbstractItemModel::dataChanged);
        // A metrics period touches the three relays, the fleet, the balancer and Redis: one
        // dataChanged per row, never the whole table.
        m.applyBatch(fixtureUntil(3'250'000));
        QVERIFY(changed.count() > 0);
        QSet<int> rows;
        for (const auto& args : changed) {
            const auto tl = args.at(0).value<QModelIndex>();
            const auto br = args.at(1).value<QModelIndex>();
            QCOMPARE(tl.row(), br.row());
            QVERIFY(!rows.contains(tl.row()));  // coalesced within the batch
            rows.insert(tl.row());
        }
    }

    void relayTableShowsOnlyRelays() {
        DashboardModels m;
        m.applyBatch(fixture());
        RelayTableModel& r = m.relays();
        QCOMPARE(r.rowCount(), 3);
        QCOMPARE(r.columnCount(), TopologyModel::ColumnCount - 1);  // no "Kind"
        QCOMPARE(r.relayAt(1), QString("relay-2"));
        QCOMPARE(cell(r, 1, TopologyModel::Health - 1).toString(), QString("down"));
        QCOMPARE(cell(r, 0, TopologyModel::Clients - 1).toInt(), 3);
        // Health is coloured, and the colour is the theme's "down".
        QCOMPARE(r.index(1, TopologyModel::Health - 1).data(Qt::ForegroundRole).value<QColor>(),
                 Theme::darkTheme().down);
    }

    void eventLogAndFilter() {
        DashboardModels m;
        m.applyBatch(fixture());
        EventLogModel& log = m.log();
        QCOMPARE(log.rowCount(), 29);  // 32 minus 2 metrics and 1 delivery sample
        QCOMPARE(cell(log, 0, EventLogModel::Category).toString(), QString("run"));
        EventLogFilter& f = m.logFilter();
        QCOMPARE(f.rowCount(), 29);
        f.setCategoryEnabled(EventCategory::Client, false);
        QCOMPARE(f.rowCount(), 29 - 11);  // 8 connects, 2 disconnects, 1 failed connect
        f.setCategoryEnabled(EventCategory::Client, true);
        f.setText("relay-2");
        for (int i = 0; i < f.rowCount(); ++i) {
            const QString s = cell(f, i, EventLogModel::Subject).toString() +
                              cell(f, i, EventLogModel::Text).toString();
            QVERIFY2(s.contains("relay-2"), qPrintable(s));
        }
        QCOMPARE(f.rowCount(), 10);
        f.setText({});
        f.setProblemsOnly(true);
        // killed relay, connect failure, health down, failed assertion, failed run.
        QCOMPARE(f.rowCount(), 5);
        // New rows pass through the filter as they arrive.
        f.setProblemsOnly(false);
        m.apply(events::log_message{events::micros{7'000'000}, "error", "late"});
        QCOMPARE(f.rowCount(), 30);
        QCOMPARE(log.index(29, 0).data(EventLogModel::BadRole).toBool(), true);
    }

    void eventLogIsBounded() {
        EventLogModel log;
        std::vector<events::event> batch;
        for (int i = 0; i < EventLogModel::kMaxRows + 1234; ++i)
            batch.push_back(events::client_connected{
                events::micros{i}, static_cast<std::uint32_t>(i), "relay-1", "fresh", false});
        log.appendBatch(batch);
        QCOMPARE(log.rowCount(), EventLogModel::kMaxRows);
        QSignalSpy removed(&log, &QAbstractItemModel::rowsRemoved);
        log.appendBatch({events::log_message{events::micros{1}, "info", "one more"}});
        QCOMPARE(removed.count(), 1);
        QVERIFY(log.rowCount() <= EventLogModel::kMaxRows);
        QCOMPARE(cell(log, log.rowCount() - 1, EventLogModel::Text).toString(),
                 QString("one more"));
    }

    void assertionsPanel() {
        DashboardModels m;
        m.assertions().setPlanned(
            {{"lost", "<= 0"}, {"failover_ms", "<= 1000"}, {"latency_p99_ms", "<= 500"}});
        m.applyBatch(fixtureUntil(3'300'000));
        AssertionsModel& a = m.assertions();
        QCOMPARE(a.rowCount(), 3);
        // Live value from the last metrics period while no verdict exists yet.
        const int p99 = a.rowOf("latency_p99_ms");
        QCOMPARE(a.row(p99).state, AssertionsModel::State::Pending);
        QVERIFY(a.row(p99).live);
        QCOMPARE(*a.row(p99).measured, 205.0);
        QCOMPARE(cell(a, p99, AssertionsModel::Status).toString(), QString("pending"));
        m.applyBatch(fixture());  // the rest of the run (starts again at run_started)
        QCOMPARE(a.passed(), 1);
        QCOMPARE(a.failed(), 1);
        const int fo = a.rowOf("failover_ms");
        QCOMPARE(cell(a, fo, AssertionsModel::Status).toString(), QString("FAIL"));
        QCOMPARE(cell(a, fo, AssertionsModel::Measured).toString(), QString("1320"));
        QCOMPARE(cell(a, fo, AssertionsModel::Expected).toString(), QString("<= 1000"));
        QCOMPARE(cell(a, fo, AssertionsModel::Detail).toString(), QString("client 5 took 1320 ms"));
        QCOMPARE(cell(a, a.rowOf("lost"), AssertionsModel::Status).toString(), QString("PASS"));
        QCOMPARE(m.verdict(), QString("failed"));
    }

    void chartHistory() {
        DashboardModels m;
        QSignalSpy updated(&m.history(), &MetricsHistory::updated);
        m.applyBatch(fixture());
        QCOMPARE(updated.count(), 1);  // one redraw per batch
        const MetricsHistory& h = m.history();
        QCOMPARE(h.published().size(), 2);
        QCOMPARE(h.delivered().last(), 1320.0);
        QCOMPARE(h.p99().last(), 205.0);
        QCOMPARE(h.deliveryRatio().points().front().y(), 1.0);  // 360 / (60 × 6)
        QCOMPARE(h.clientsPerRelay().size(), 3);
        QCOMPARE(h.clientsPerRelay()["relay-2"].last(), 0.0);
        // Two reconnects between the metrics at 1 s and 3.25 s, period 0.25 s.
        QCOMPARE(h.reconnects().last(), 8.0);
        QCOMPARE(h.connectFailures().last(), 4.0);
        QCOMPARE(h.markers().size(), std::size_t{3});  // kill, fault set, fault cleared
        QVERIFY(!h.markers()[0].fault);
        QVERIFY(h.markers()[1].fault);
        QCOMPARE(h.duration(), 6.0);
        // run started/finished, 4 health changes, the kill, 2 fault changes, 2 verdicts.
        QCOMPARE(m.timeline().size(), std::size_t{11});
    }

    void pumpDeliversInOrderFromAnotherThread() {
        EventPump pump;
        events::event_stream stream;
        pump.attach(stream);
        std::vector<events::event> got;
        std::size_t maxSamplesInBatch = 0;
        connect(&pump, &EventPump::batchReady, this, [&](const std::vector<events::event>& b) {
            std::size_t samples = 0;
            for (const auto& e : b) {
                if (std::holds_alternative<events::delivery_sample>(e))
                    ++samples;
                else
                    got.push_back(e);
            }
            maxSamplesInBatch = std::max(maxSamplesInBatch, samples);
        });
        constexpr std::uint32_t kClients = 5000;
        std::thread engine([&] {
            for (std::uint32_t i = 0; i < kClients; ++i) {
                stream.publish(
                    events::client_connected{events::micros{i}, i, "relay-1", "fresh", false});
                stream.publish(events::delivery_sample{
                    events::micros{i}, 1, i, "relay-1", "global", i, {}, false});
            }
        });
        engine.join();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), std::size_t{kClients}, 5000);
        for (std::uint32_t i = 0; i < kClients; ++i)
            QCOMPARE(std::get<events::client_connected>(got[i]).client, i);
        QVERIFY(maxSamplesInBatch <= EventPump::kMaxSamplesPerBatch);
        QVERIFY(pump.droppedSamples() >=
                kClients - EventPump::kMaxSamplesPerBatch * pump.batches());
        QCOMPARE(pump.session().size(), std::size_t{2 * kClients});  // the record is unsampled
        pump.detach();
        stream.publish(events::log_message{});
        pump.drainNow();
        QCOMPARE(pump.session().size(), std::size_t{2 * kClients});
    }

    void handActionsAreLoggedWhenNoRunIsLive() {
        EventPump pump;
        DashboardModels m;
        connect(&pump, &EventPump::batchReady, &m, &DashboardModels::applyBatch);
        OfflineCommandSink sink(pump);
        sink.setNow(events::micros{2'500'000});
        HandAction a;
        a.kind = events::action_kind::fault;
        a.target = "balancer-relay-1";
        a.toxic = "latency";
        a.latencyMs = 200;
        a.jitterMs = 20;
        sink.submit(a);
        pump.drainNow();
        QCOMPARE(m.log().rowCount(), 1);
        const auto session = pump.session();
        QCOMPARE(session.size(), std::size_t{1});
        const auto& e = std::get<events::action_applied>(session[0]);
        QCOMPARE(e.source, std::string("hand"));
        QCOMPARE(e.detail, std::string("toxic=latency latency=200ms jitter=20ms"));
        QCOMPARE(e.at.count(), 2'500'000);
        QVERIFY(!e.ok);
        QVERIFY(m.log().index(0, 0).data(EventLogModel::BadRole).toBool());
        HandAction rate;
        rate.kind = events::action_kind::set_rate;
        rate.rate = 2.5;
        QCOMPARE(actionDetail(rate), std::string("rate=2.5/s"));
        HandAction count;
        count.kind = events::action_kind::set_count;
        count.count = 1000;
        QCOMPARE(actionDetail(count), std::string("count=1000"));
    }
};

QTEST_MAIN(ModelsTest)
#include "models_test.moc"
