// switchyard-gui: watch and steer a Switchyard run, or replay its event log.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

#include "gui/live_run.hpp"
#include "gui/main_window.hpp"
#include "gui/topology_model.hpp"

namespace {

int badFlag(const QString& message) {
    std::fprintf(stderr, "switchyard-gui: %s\n", qPrintable(message));
    return 2;
}

/// Drains what is left, saves the window and quits with a one-line summary of what it showed.
void saveAndQuit(switchyard::gui::MainWindow& window, const QString& png, const char* verb) {
    window.pump().drainNow();
    QTimer::singleShot(300, &window, [&window, png, verb] {
        window.pump().drainNow();
        const bool saved = window.grab().save(png);
        // A one-line summary so scripts can check what the run or replay showed.
        const auto& models = window.models();
        QStringList relays;
        int relayCount = 0;
        for (int r = 0; r < models.topology().rowCount(); ++r) {
            const auto& n = models.topology().node(r);
            if (n.kind != switchyard::gui::TopologyModel::Kind::Relay)
                continue;
            // Past a screenful the relays are summed up, not listed.
            if (++relayCount <= 24)
                relays << n.id + QLatin1Char(' ') +
                              switchyard::gui::TopologyModel::effectiveHealth(n);
        }
        if (relayCount > 24)
            relays << QStringLiteral("... %1 relays").arg(relayCount);
        std::printf(
            "%s %llu events; verdict %s; %s\n", verb,
            static_cast<unsigned long long>(models.eventsApplied()),
            qPrintable(models.verdict().isEmpty() ? QStringLiteral("none") : models.verdict()),
            qPrintable(relays.join(QStringLiteral(", "))));
        std::fflush(stdout);
        QApplication::exit(saved ? 0 : 3);
    });
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("switchyard-gui"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "Switchyard dashboard: topology, live charts, event log and assertions of a run.\n"
        "Replay an NDJSON event log (from `switchyard run --events FILE` or a saved session),\n"
        "or open a scenario to run it in-process (when built with the engine): with real\n"
        "processes, or in the simulator with --sim."));
    cli.addHelpOption();
    cli.addVersionOption();
    const QCommandLineOption replay(QStringLiteral("replay"),
                                    QStringLiteral("Replay this NDJSON event log."),
                                    QStringLiteral("events.ndjson"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("Replay and simulation speed: 1 = real time, "
                                                  "10 = ten times faster, 0 = as fast as "
                                                  "possible (default 1)."),
                                   QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("Open this scenario file for a live run."),
                                      QStringLiteral("file.yaml"));
    const QCommandLineOption run(QStringLiteral("run"),
                                 QStringLiteral("Start the opened scenario at once."));
    const QCommandLineOption sim(
        QStringLiteral("sim"),
        QStringLiteral("Run the scenario in the simulator (virtual time, paced by --speed). "
                       "A file only the simulator runs opens in simulation anyway."));
    const QCommandLineOption light(QStringLiteral("light"),
                                   QStringLiteral("Start with the light theme."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("After the replay (or the --run) ends, save the window to this PNG and "
                       "quit."),
        QStringLiteral("file.png"));
    cli.addOptions({replay, speed, scenario, sim, run, light, screenshot});
    cli.process(app);

    bool ok = false;
    const double speedValue = cli.value(speed).toDouble(&ok);
    if (!ok || speedValue < 0)
        return badFlag(QStringLiteral("--speed: '%1' is not a number >= 0").arg(cli.value(speed)));
    if (cli.isSet(screenshot) && !cli.isSet(replay) && !cli.isSet(run))
        return badFlag(QStringLiteral("--screenshot needs --replay or --scenario with --run"));
    if (cli.isSet(sim) && !cli.isSet(scenario))
        return badFlag(QStringLiteral("--sim needs --scenario"));
    if (!cli.positionalArguments().isEmpty())
        return badFlag(QStringLiteral("unexpected argument '%1' (did you mean --replay?)")
                           .arg(cli.positionalArguments().first()));

    switchyard::gui::MainWindow window;
    window.setDarkTheme(!cli.isSet(light));
    if (cli.isSet(replay)) {
        QString error;
        if (!window.openEvents(cli.value(replay), &error))
            return badFlag(QStringLiteral("--replay: %1").arg(error));
        window.setReplaySpeed(speedValue);
        window.startReplay();
        if (cli.isSet(screenshot)) {
            const QString png = cli.value(screenshot);
            QObject::connect(&window.replay(), &switchyard::gui::ReplayDriver::finishedPlaying,
                             &window, [&window, png] { saveAndQuit(window, png, "replayed"); });
        }
    } else if (cli.isSet(scenario)) {
        if (cli.isSet(sim))
            window.setWorld(switchyard::gui::RunWorld::Simulated);
        window.setReplaySpeed(speedValue);
        QString error;
        if (!window.openScenario(cli.value(scenario), &error))
            return badFlag(QStringLiteral("--scenario: %1").arg(error));
        if (cli.isSet(run)) {
            window.runScenario();
            if (cli.isSet(screenshot)) {
                // The run reports its end through its events: poll until its thread is done.
                auto* poll = new QTimer(&window);
                const QString png = cli.value(screenshot);
                QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, png] {
                    if (window.run().running())
                        return;
                    poll->stop();
                    saveAndQuit(window, png,
                                window.world() == switchyard::gui::RunWorld::Simulated ? "simulated"
                                                                                       : "ran");
                });
                poll->start(100);
            }
        }
    }
    window.show();
    return QApplication::exec();
}
