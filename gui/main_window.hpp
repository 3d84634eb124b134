#pragma once
// The dashboard window: topology and charts on top, the timeline and the event log /
// relays / assertions tabs below, toolbar for files, run control, speed and theme, and a row
// of hand actions. Events reach it only through the pump; commands leave it only through the
// command sink.
#include <QMainWindow>

#include <memory>

#include "gui/command_sink.hpp"
#include "gui/dashboard_models.hpp"
#include "gui/event_pump.hpp"
#include "gui/replay_driver.hpp"
#include "gui/run_world.hpp"
#include "gui/theme.hpp"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QDoubleSpinBox;
class QTabWidget;
class QTableView;

namespace switchyard::gui {

class ChartsPanel;
class TimelineWidget;
class TopologyView;
class LiveRun;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads an NDJSON event log for replay (not started). False with a message on error.
    bool openEvents(const QString& path, QString* error = nullptr);
    void startReplay();
    /// Speed of replays and of simulations (1 real time, 10, 0 = as fast as possible).
    void setReplaySpeed(double speed);
    /// Shows the replay as it was at run time `seconds` (paused there). Going back replays
    /// the file from its start up to that time, so every model is exactly as it was.
    void seekReplay(double seconds);
    /// Saves every event seen this session (including hand actions) as NDJSON.
    bool saveSession(const QString& path, QString* error = nullptr);
    /// Sends a hand action to the live run, or logs it as not applied.
    void submitHandAction(const HandAction& a);
    void setDarkTheme(bool dark);
    bool darkTheme() const { return theme_.dark; }
    /// Opens a scenario for an in-process run (only when built with the engine's run API), in
    /// the world chosen with `setWorld` (a file only the simulator runs opens in simulation).
    bool openScenario(const QString& path, QString* error = nullptr);
    /// Real processes or the simulator, for the scenario opened next (and the open one when it
    /// is not running).
    void setWorld(RunWorld w);
    /// The world of the open scenario.
    RunWorld world() const;
    LiveRun& run();
    void runScenario();
    void stopRun();
    /// Shows the given bottom tab ("Event log", "Relays", "Assertions").
    void showTab(const QString& name);

    EventPump& pump() { return pump_; }
    DashboardModels& models() { return models_; }
    ReplayDriver& replay() { return replay_; }
    TopologyView& topologyView() { return *topology_; }
    ChartsPanel& charts() { return *charts_; }
    TimelineWidget& timeline() { return *timeline_; }
    bool liveRun() const;

  private:
    void buildToolbar();
    QWidget* buildActionsBar();
    QWidget* buildLogTab();
    void relayAction(events::action_kind kind, const QString& relay);
    void showRelayMenu(const QString& relay, const QPoint& pos);
    void showRedisMenu(const QPoint& pos);
    void showLinkMenu(const QString& link, const QPoint& pos);
    void openFaultDialog(const QString& link);
    QStringList knownLinks() const;
    QString currentRelay() const;
    QString currentFleet() const;
    /// A relay the balancer knows that was never started ("" when none): Add relay starts it.
    QString firstSpareRelay() const;
    void refreshRelayChoices();
    /// Puts the scenario's count and rate of `fleet` in the Clients / Publish rate boxes.
    void showFleetDefaults(const QString& fleet);
    void updateStatus();
    void onOpenEvents();
    void onOpenScenario();
    void onSave();
    void onPlay();
    void onPause();
    void onStop();

    Theme theme_ = Theme::darkTheme();
    EventPump pump_;
    DashboardModels models_;
    ReplayDriver replay_;
    OfflineCommandSink offline_;
    std::unique_ptr<LiveRun> live_;
    QString source_;  ///< file being replayed or scenario being run

    TopologyView* topology_ = nullptr;
    ChartsPanel* charts_ = nullptr;
    TimelineWidget* timeline_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QTableView* logView_ = nullptr;
    QTableView* relayView_ = nullptr;
    QTableView* assertionView_ = nullptr;
    QComboBox* relayChoice_ = nullptr;
    QComboBox* fleetChoice_ = nullptr;
    QComboBox* speed_ = nullptr;
    QComboBox* world_ = nullptr;
    QComboBox* window_ = nullptr;
    QSpinBox* clientCount_ = nullptr;
    QDoubleSpinBox* publishRate_ = nullptr;
    QLabel* status_ = nullptr;
    QAction* playAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* themeAction_ = nullptr;
};

}  // namespace switchyard::gui
