// Renders the main window offscreen at two moments of the demo session and writes PNGs:
// into the build tree always, and into docs/images/ when SWITCHYARD_SCREENSHOT_DIR names it
// (that is how the pictures in docs/gui.md are made).
#include <QDir>
#include <QImage>
#include <QTest>

#include <fstream>
#include <set>

#include "engine/events/ndjson.hpp"

#include "demo_session.hpp"
#include "gui/main_window.hpp"
#include "gui/topology_items.hpp"
#include "gui/topology_view.hpp"

using namespace switchyard;
using namespace switchyard::gui;

namespace {

/// Opens the demo session as a replay and plays it up to `untilS` at once (paused there),
/// exactly as `switchyard-gui --replay` would show it at that moment.
void playUntil(MainWindow& w, double untilS) {
    const QString path = QStringLiteral(SWITCHYARD_GUI_OUTPUT "/demo-session.ndjson");
    {
        std::ofstream out(path.toStdString());
        for (const auto& e : testing::makeDemoSession())
            out << events::to_ndjson(e) << '\n';
    }
    QString err;
    QVERIFY2(w.openEvents(path, &err), qPrintable(err));
    w.replay().advanceTo(untilS);
    w.pump().drainNow();
}

/// Writes the window and checks the picture has real content (not one flat colour).
void shoot(MainWindow& w, const QString& name) {
    QTest::qWait(400);  // let the flow dots move off their start and the charts lay out
    const QImage img = w.grab().toImage();
    QVERIFY(!img.isNull());
    QCOMPARE(img.size(), w.size());
    std::set<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7)
            colours.insert(img.pixel(x, y));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    const QString out = QStringLiteral(SWITCHYARD_GUI_OUTPUT "/") + name;
    QVERIFY(img.save(out));
    QVERIFY(QFileInfo(out).size() > 10'000);
    const QString docs = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
    if (!docs.isEmpty()) {
        QDir().mkpath(docs);
        QVERIFY(img.save(QDir(docs).filePath(name)));
    }
}

}  // namespace

class ScreenshotTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void darkDuringFailover() {
        MainWindow w;
        w.resize(1366, 800);
        w.setDarkTheme(true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        playUntil(w, 16.5);  // relay-2 killed at 12 s, latency on relay-3's Redis link since 16 s
        const auto& t = w.models().topology();
        QCOMPARE(TopologyModel::effectiveHealth(t.node(t.rowOf("relay-2"))), QString("down"));
        QVERIFY(t.faults().contains("relay-3-redis"));
        QVERIFY(w.topologyView().activeDots() > 0);
        w.showTab("Event log");
        shoot(w, "gui-dark-failover.png");
    }

    void lightAtTheEnd() {
        MainWindow w;
        w.resize(1366, 800);
        w.setDarkTheme(false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        playUntil(w, 1000);
        QCOMPARE(w.models().verdict(), QString("failed"));
        // The hand Redis restart at 25 s: over within one batch, the box says how long it took.
        QVERIFY2(w.topologyView().nodeItem("redis")->lines().join(' ').contains(
                     "outage 80 ms at 25.1 s"),
                 qPrintable(w.topologyView().nodeItem("redis")->lines().join(' ')));
        w.showTab("Assertions");
        shoot(w, "gui-light-verdict.png");
    }

    void relaysTable() {
        MainWindow w;
        w.resize(1366, 800);
        w.setDarkTheme(true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        playUntil(w, 22);
        w.showTab("Relays");
        shoot(w, "gui-dark-relays.png");
    }
};

QTEST_MAIN(ScreenshotTest)
#include "screenshot_test.moc"
