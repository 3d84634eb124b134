#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <fstream>

#include "engine/events/ndjson.hpp"
#include "gui/charts_panel.hpp"
#include "gui/fault_dialog.hpp"
#include "gui/live_run.hpp"
#include "gui/timeline_widget.hpp"
#include "gui/topology_view.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

namespace {

QTableView* makeTable(QAbstractItemModel* model) {
    auto* t = new QTableView;
    t->setModel(model);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->setVisible(false);
    t->verticalHeader()->setDefaultSectionSize(22);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
    return t;
}

ev::micros toMicros(double seconds) {
    return ev::micros{static_cast<std::int64_t>(seconds * 1e6)};
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      replay_(pump_),
      offline_(pump_),
      live_(std::make_unique<LiveRun>(pump_)) {
    setWindowTitle(QStringLiteral("Switchyard"));
    resize(1366, 800);

    connect(&pump_, &EventPump::batchReady, &models_, &DashboardModels::applyBatch);

    topology_ = new TopologyView(models_.topology());
    charts_ = new ChartsPanel(models_.history());
    timeline_ = new TimelineWidget(models_);
    connect(&models_, &DashboardModels::deliveries, topology_, &TopologyView::showDeliveries);
    connect(charts_, &ChartsPanel::rangeChanged, timeline_, &TimelineWidget::setWindow);
    connect(timeline_, &TimelineWidget::seekRequested, this, &MainWindow::seekReplay);
    connect(topology_, &TopologyView::relayMenuRequested, this, &MainWindow::showRelayMenu);
    connect(topology_, &TopologyView::redisMenuRequested, this, &MainWindow::showRedisMenu);
    connect(topology_, &TopologyView::linkMenuRequested, this, &MainWindow::showLinkMenu);

    buildToolbar();

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(4);
    leftLayout->addWidget(topology_, 1);
    leftLayout->addWidget(buildActionsBar());

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(left);
    top->addWidget(charts_);
    top->setStretchFactor(0, 5);
    top->setStretchFactor(1, 4);

    relayView_ = makeTable(&models_.relays());
    relayView_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(relayView_, &QWidget::customContextMenuRequested, this, [this](const QPoint& p) {
        const QString relay = models_.relays().relayAt(relayView_->indexAt(p).row());
        if (!relay.isEmpty())
            showRelayMenu(relay, relayView_->viewport()->mapToGlobal(p));
    });
    connect(relayView_, &QTableView::clicked, this, [this](const QModelIndex& i) {
        relayChoice_->setCurrentText(models_.relays().relayAt(i.row()));
    });
    relayView_->horizontalHeader()->setStretchLastSection(false);
    relayView_->horizontalHeader()->setDefaultSectionSize(92);
    assertionView_ = makeTable(&models_.assertions());
    for (int c = AssertionsModel::Name; c < AssertionsModel::Detail; ++c)
        assertionView_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    tabs_ = new QTabWidget;
    tabs_->addTab(buildLogTab(), tr("Event log"));
    tabs_->addTab(relayView_, tr("Relays"));
    tabs_->addTab(assertionView_, tr("Assertions"));

    auto* bottom = new QWidget;
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->setSpacing(2);
    bottomLayout->addWidget(timeline_);
    bottomLayout->addWidget(tabs_, 1);

    auto* main = new QSplitter(Qt::Vertical);
    main->addWidget(top);
    main->addWidget(bottom);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setSizes({500, 300});
    setCentralWidget(main);

    status_ = new QLabel;
    statusBar()->addWidget(status_, 1);
    connect(&models_, &DashboardModels::batchApplied, this, &MainWindow::updateStatus);
    connect(&models_.topology(), &QAbstractItemModel::rowsInserted, this,
            &MainWindow::refreshRelayChoices);
    connect(&models_.topology(), &QAbstractItemModel::modelReset, this,
            &MainWindow::refreshRelayChoices);
    connect(&models_.topology(), &QAbstractItemModel::layoutChanged, this,
            &MainWindow::refreshRelayChoices);
    connect(topology_, &TopologyView::relaySelected, relayChoice_, &QComboBox::setCurrentText);
    connect(&replay_, &ReplayDriver::progressed, this,
            [this](double t) { offline_.setNow(toMicros(t)); });
    connect(&replay_, &ReplayDriver::finishedPlaying, this, &MainWindow::updateStatus);
    setDarkTheme(true);
    refreshRelayChoices();
    updateStatus();
}

MainWindow::~MainWindow() {
    pump_.detach();
    // Views hold references to the models (members): take them down while the models live.
    delete takeCentralWidget();
}

bool MainWindow::liveRun() const {
    return live_ && live_->live();
}

void MainWindow::buildToolbar() {
    QToolBar* tb = addToolBar(tr("Run"));
    tb->setMovable(false);
    tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // The world a scenario runs in: real processes on this machine, or the simulator (virtual
    // time, any size; paced by Speed).
    world_ = new QComboBox;
    world_->setObjectName(QStringLiteral("worldChoice"));
    world_->addItem(tr("Real"), static_cast<int>(RunWorld::Real));
    world_->addItem(tr("Simulation"), static_cast<int>(RunWorld::Simulated));
    world_->setEnabled(LiveRun::available());
    connect(world_, &QComboBox::currentIndexChanged, this,
            [this](int i) { setWorld(static_cast<RunWorld>(world_->itemData(i).toInt())); });
    tb->addWidget(world_);
    QAction* openScenario = tb->addAction(tr("Open scenario…"), this, &MainWindow::onOpenScenario);
    openScenario->setEnabled(LiveRun::available());
    if (!LiveRun::available())
        openScenario->setToolTip(
            tr("This build has no in-process engine: replay event logs instead"));
    tb->addAction(tr("Open events…"), this, &MainWindow::onOpenEvents);
    tb->addAction(tr("Save session…"), this, &MainWindow::onSave);
    tb->addSeparator();
    playAction_ = tb->addAction(tr("▶ Run"), this, &MainWindow::onPlay);
    pauseAction_ = tb->addAction(tr("Pause"), this, &MainWindow::onPause);
    stopAction_ = tb->addAction(tr("■ Stop"), this, &MainWindow::onStop);
    stopAction_->setObjectName(QStringLiteral("stopRun"));
    tb->addSeparator();
    tb->addWidget(new QLabel(tr(" Speed ")));
    speed_ = new QComboBox;
    for (const auto& [label, value] : std::initializer_list<std::pair<const char*, double>>{
             {"0.5×", 0.5}, {"1×", 1}, {"2×", 2}, {"5×", 5}, {"10×", 10}, {"50×", 50}, {"max", 0}})
        speed_->addItem(QString::fromUtf8(label), value);
    speed_->setCurrentIndex(1);
    connect(speed_, &QComboBox::currentIndexChanged, this, [this](int i) {
        replay_.setSpeed(speed_->itemData(i).toDouble());
        live_->setSpeed(speed_->itemData(i).toDouble());
    });
    tb->addWidget(speed_);
    tb->addWidget(new QLabel(tr("  Chart window ")));
    window_ = new QComboBox;
    window_->setObjectName(QStringLiteral("chartWindow"));
    for (const auto& [label, value] : std::initializer_list<std::pair<const char*, double>>{
             {"30 s", 30}, {"60 s", 60}, {"5 min", 300}, {"whole run", 0}})
        window_->addItem(QString::fromUtf8(label), value);
    window_->setCurrentIndex(3);  // whole run: scenarios are short; long runs pick a window
    connect(window_, &QComboBox::currentIndexChanged, this,
            [this](int i) { charts_->setWindowSeconds(window_->itemData(i).toDouble()); });
    tb->addWidget(window_);
    tb->addSeparator();
    themeAction_ = tb->addAction(tr("Light theme"), this, [this] { setDarkTheme(!theme_.dark); });
}

QWidget* MainWindow::buildActionsBar() {
    auto* bar = new QWidget;
    auto* rows = new QVBoxLayout(bar);
    rows->setContentsMargins(4, 0, 4, 2);
    rows->setSpacing(3);
    auto* relayRow = new QHBoxLayout;
    relayRow->addWidget(new QLabel(tr("Relay")));
    relayChoice_ = new QComboBox;
    relayChoice_->setObjectName(QStringLiteral("relayChoice"));
    relayChoice_->setMinimumContentsLength(8);
    relayRow->addWidget(relayChoice_);
    const std::pair<const char*, ev::action_kind> relayActions[] = {
        {"Kill", ev::action_kind::kill},
        {"Stop", ev::action_kind::stop},
        {"Continue", ev::action_kind::cont},
        {"Restart", ev::action_kind::restart},
        {"Drain", ev::action_kind::drain}};
    for (const auto& [label, kind] : relayActions) {
        auto* b = new QPushButton(tr(label));
        b->setObjectName(QString::fromLatin1(label).toLower());  // tests find buttons by name
        b->setToolTip(tr("%1 the selected relay (also on its context menu)").arg(tr(label)));
        connect(b, &QPushButton::clicked, this,
                [this, k = kind] { relayAction(k, currentRelay()); });
        relayRow->addWidget(b);
    }
    relayRow->addStretch(1);
    auto* addRelay = new QPushButton(tr("Add relay"));
    addRelay->setObjectName(QStringLiteral("addRelay"));
    addRelay->setToolTip(tr("Start the first spare relay (one the balancer already knows)"));
    connect(addRelay, &QPushButton::clicked, this, [this] {
        HandAction a;
        a.kind = ev::action_kind::add_relay;
        a.target = firstSpareRelay();
        submitHandAction(a);
    });
    relayRow->addWidget(addRelay);
    rows->addLayout(relayRow);

    auto* clusterRow = new QHBoxLayout;
    auto* fault = new QPushButton(tr("Fault on link…"));
    connect(fault, &QPushButton::clicked, this, [this] { openFaultDialog({}); });
    clusterRow->addWidget(fault);
    auto* redis = new QPushButton(tr("Restart Redis"));
    redis->setObjectName(QStringLiteral("restartRedis"));
    connect(redis, &QPushButton::clicked, this, [this] {
        HandAction a;
        a.kind = ev::action_kind::restart_redis;
        a.target = QStringLiteral("redis");
        submitHandAction(a);
    });
    clusterRow->addWidget(redis);
    clusterRow->addStretch(1);
    clusterRow->addWidget(new QLabel(tr("Fleet")));
    fleetChoice_ = new QComboBox;
    fleetChoice_->setObjectName(QStringLiteral("fleetChoice"));
    fleetChoice_->setMinimumContentsLength(7);
    fleetChoice_->setToolTip(tr("The fleet that Clients / Publish rate change"));
    // Picking a fleet of the open scenario shows its planned count and rate.
    connect(fleetChoice_, &QComboBox::currentTextChanged, this, &MainWindow::showFleetDefaults);
    clusterRow->addWidget(fleetChoice_);
    clusterRow->addWidget(new QLabel(tr(" Clients")));
    clientCount_ = new QSpinBox;
    clientCount_->setObjectName(QStringLiteral("clientCount"));
    clientCount_->setRange(0, 100'000);
    clientCount_->setValue(100);
    clusterRow->addWidget(clientCount_);
    auto* setCount = new QPushButton(tr("Set"));
    setCount->setObjectName(QStringLiteral("setCount"));
    connect(setCount, &QPushButton::clicked, this, [this] {
        HandAction a;
        a.kind = ev::action_kind::set_count;
        a.target = currentFleet();
        a.count = static_cast<std::uint32_t>(clientCount_->value());
        submitHandAction(a);
    });
    clusterRow->addWidget(setCount);
    clusterRow->addWidget(new QLabel(tr("  Publish rate")));
    publishRate_ = new QDoubleSpinBox;
    publishRate_->setObjectName(QStringLiteral("publishRate"));
    publishRate_->setRange(0, 10'000);
    publishRate_->setDecimals(1);
    publishRate_->setSuffix(tr(" /s per client"));
    publishRate_->setValue(1);
    clusterRow->addWidget(publishRate_);
    auto* setRate = new QPushButton(tr("Set"));
    setRate->setObjectName(QStringLiteral("setRate"));
    connect(setRate, &QPushButton::clicked, this, [this] {
        HandAction a;
        a.kind = ev::action_kind::set_rate;
        a.target = currentFleet();
        a.rate = publishRate_->value();
        submitHandAction(a);
    });
    clusterRow->addWidget(setRate);
    rows->addLayout(clusterRow);
    return bar;
}

QWidget* MainWindow::buildLogTab() {
    auto* w = new QWidget;
    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    auto* filterRow = new QHBoxLayout;
    auto* search = new QLineEdit;
    search->setPlaceholderText(tr("Filter: relay-2, failover, client 17…"));
    search->setClearButtonEnabled(true);
    connect(search, &QLineEdit::textChanged, &models_.logFilter(), &EventLogFilter::setText);
    filterRow->addWidget(search, 1);
    for (EventCategory c : {EventCategory::Run, EventCategory::Component, EventCategory::Health,
                            EventCategory::Client, EventCategory::Action, EventCategory::Fault,
                            EventCategory::Assertion, EventCategory::Log}) {
        auto* b = new QToolButton;
        b->setText(categoryName(c));
        b->setCheckable(true);
        b->setChecked(true);
        connect(b, &QToolButton::toggled, this,
                [this, c](bool on) { models_.logFilter().setCategoryEnabled(c, on); });
        filterRow->addWidget(b);
    }
    auto* problems = new QCheckBox(tr("problems only"));
    connect(problems, &QCheckBox::toggled, &models_.logFilter(), &EventLogFilter::setProblemsOnly);
    filterRow->addWidget(problems);
    layout->addLayout(filterRow);
    logView_ = makeTable(&models_.logFilter());
    logView_->horizontalHeader()->resizeSection(EventLogModel::Time, 80);
    logView_->horizontalHeader()->resizeSection(EventLogModel::Category, 80);
    logView_->horizontalHeader()->resizeSection(EventLogModel::Subject, 110);
    // Follow the tail while the user has not scrolled up.
    connect(&models_.logFilter(), &QAbstractItemModel::rowsInserted, this, [this] {
        auto* sb = logView_->verticalScrollBar();
        if (sb->value() >= sb->maximum() - 2)
            QMetaObject::invokeMethod(logView_, &QTableView::scrollToBottom, Qt::QueuedConnection);
    });
    layout->addWidget(logView_, 1);
    return w;
}

void MainWindow::showTab(const QString& name) {
    for (int i = 0; i < tabs_->count(); ++i)
        if (tabs_->tabText(i) == name)
            tabs_->setCurrentIndex(i);
}

void MainWindow::setDarkTheme(bool dark) {
    theme_ = dark ? Theme::darkTheme() : Theme::lightTheme();
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance()))
        theme_.applyTo(*app);
    models_.setTheme(theme_);
    topology_->setTheme(theme_);
    charts_->setTheme(theme_);
    timeline_->setTheme(theme_);
    themeAction_->setText(dark ? tr("Light theme") : tr("Dark theme"));
    for (QTableView* t : {logView_, relayView_, assertionView_})
        if (t)
            t->viewport()->update();
}

// Files and run control -----------------------------------------------------------------------

bool MainWindow::openEvents(const QString& path, QString* error) {
    QString err;
    if (!replay_.load(path, &err)) {
        if (error)
            *error = err;
        return false;
    }
    if (live_ && live_->running())
        live_->stop();
    pump_.detach();
    pump_.drainNow();
    pump_.clearSession();
    models_.topology().setKnownFleets({});  // learnt from the file's events
    models_.clear();
    // Everything the file will do is known ahead: show it on the timeline as planned.
    std::vector<TimelineItem> planned;
    for (const auto& e : replay_.events()) {
        if (!std::holds_alternative<ev::action_applied>(e) &&
            !std::holds_alternative<ev::fault_changed>(e))
            continue;
        const EventText t = describe(e);
        planned.push_back(TimelineItem{static_cast<double>(ev::event_time(e).count()) / 1e6, t.text,
                                       t.category, t.bad, true, shortLabel(e)});
    }
    models_.setPlanned(std::move(planned));
    source_ = path;
    updateStatus();
    return true;
}

void MainWindow::setWorld(RunWorld w) {
    live_->setWorld(w);
    {
        const QSignalBlocker quiet(world_);
        world_->setCurrentIndex(world_->findData(static_cast<int>(w)));
    }
    // The open scenario follows, unless it is running (the choice is for the next open).
    if (!source_.isEmpty() && replay_.events().empty() && !live_->running()) {
        QString err;
        if (!openScenario(source_, &err))
            QMessageBox::warning(this, tr("Cannot open scenario"), err);
    }
}

LiveRun& MainWindow::run() {
    return *live_;
}

RunWorld MainWindow::world() const {
    return live_->world();
}

void MainWindow::startReplay() {
    replay_.setSpeed(speed_->currentData().toDouble());
    replay_.play();
    updateStatus();
}

void MainWindow::seekReplay(double seconds) {
    if (replay_.events().empty())
        return;
    replay_.pause();
    if (seconds < replay_.position()) {
        pump_.drainNow();
        std::vector<TimelineItem> planned = models_.planned();
        models_.clear();
        models_.setPlanned(std::move(planned));
        pump_.clearSession();
        replay_.rewind();
    }
    replay_.advanceTo(seconds);
    pump_.drainNow();
    updateStatus();
}

void MainWindow::setReplaySpeed(double speed) {
    int best = 0;
    for (int i = 0; i < speed_->count(); ++i)
        if (std::abs(speed_->itemData(i).toDouble() - speed) <
            std::abs(speed_->itemData(best).toDouble() - speed))
            best = i;
    speed_->setCurrentIndex(best);
    replay_.setSpeed(speed);  // the exact value, even between the presets
    live_->setSpeed(speed);
}

bool MainWindow::saveSession(const QString& path, QString* error) {
    std::ofstream out(path.toStdString(), std::ios::trunc);
    if (!out) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    for (const auto& e : pump_.session())
        out << ev::to_ndjson(e) << '\n';
    out.flush();
    if (!out) {
        if (error)
            *error = QStringLiteral("write to %1 failed").arg(path);
        return false;
    }
    return true;
}

bool MainWindow::openScenario(const QString& path, QString* error) {
    replay_.setEvents({});
    live_->setSpeed(replay_.speed());
    if (!live_->open(path, error))
        return false;
    {
        // Show the world actually chosen (a sim-only file switches it).
        const QSignalBlocker quiet(world_);
        world_->setCurrentIndex(world_->findData(static_cast<int>(live_->world())));
    }
    // One box per fleet of the scenario from the start, in the scenario's order.
    models_.topology().setKnownFleets(live_->fleetNames());
    models_.clear();
    models_.assertions().setPlanned(live_->expectations());
    models_.setPlanned(live_->plannedTimeline());
    if (const auto [count, rate] = live_->fleetDefaults(); count > 0) {
        clientCount_->setValue(static_cast<int>(count));
        publishRate_->setValue(rate);
    }
    source_ = path;
    if (!live_->worldNote().isEmpty())
        pump_.push(ev::log_message{ev::micros{0}, "info", live_->worldNote().toStdString()});
    updateStatus();
    return true;
}

void MainWindow::runScenario() {
    QString err;
    pump_.clearSession();
    if (!live_->start(&err))
        QMessageBox::warning(this, tr("Run failed"), err);
    updateStatus();
}

void MainWindow::stopRun() {
    if (live_)
        live_->stop();
    updateStatus();
}

void MainWindow::onOpenEvents() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open event log"), {}, tr("Event logs (*.ndjson *.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    QString err;
    if (!openEvents(path, &err))
        QMessageBox::warning(this, tr("Cannot open event log"), err);
    else
        startReplay();
}

void MainWindow::onOpenScenario() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open scenario"), QStringLiteral("scenarios"), tr("Scenarios (*.yaml *.yml)"));
    if (path.isEmpty())
        return;
    QString err;
    if (!openScenario(path, &err))
        QMessageBox::warning(this, tr("Cannot open scenario"), err);
}

void MainWindow::onSave() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save session events"),
                                     QStringLiteral("session.ndjson"), tr("Event logs (*.ndjson)"));
    if (path.isEmpty())
        return;
    QString err;
    if (!saveSession(path, &err))
        QMessageBox::warning(this, tr("Cannot save"), err);
}

void MainWindow::onPlay() {
    if (live_->running()) {
        live_->resume();
    } else if (!replay_.events().empty()) {
        if (replay_.finished())
            openEvents(source_);
        startReplay();
    } else if (!source_.isEmpty()) {
        runScenario();
    }
    updateStatus();
}

void MainWindow::onPause() {
    if (live_->running())
        live_->pause();
    replay_.pause();
    updateStatus();
}

void MainWindow::onStop() {
    replay_.pause();
    replay_.rewind();
    stopRun();
}

// Hand actions --------------------------------------------------------------------------------

void MainWindow::submitHandAction(const HandAction& a) {
    if (live_ && live_->live())
        live_->submit(a);
    else
        offline_.submit(a);
    // Show it at once rather than at the next drain: a click should answer.
    pump_.drainNow();
}

QString MainWindow::currentRelay() const {
    return relayChoice_->currentText();
}

QString MainWindow::firstSpareRelay() const {
    const auto& t = models_.topology();
    for (int r = 0; r < t.rowCount(); ++r)
        if (t.node(r).kind == TopologyModel::Kind::Relay &&
            TopologyModel::effectiveHealth(t.node(r)) == QLatin1String("spare"))
            return t.node(r).id;
    return {};
}

QString MainWindow::currentFleet() const {
    const QString f = fleetChoice_->currentText();
    return f.isEmpty() ? TopologyModel::defaultFleetId() : f;
}

void MainWindow::relayAction(ev::action_kind kind, const QString& relay) {
    if (relay.isEmpty())
        return;
    HandAction a;
    a.kind = kind;
    a.target = relay;
    submitHandAction(a);
}

void MainWindow::refreshRelayChoices() {
    const QString keep = relayChoice_->currentText();
    relayChoice_->clear();
    for (int r = 0; r < models_.topology().rowCount(); ++r)
        if (models_.topology().node(r).kind == TopologyModel::Kind::Relay)
            relayChoice_->addItem(models_.topology().node(r).id);
    if (!keep.isEmpty())
        relayChoice_->setCurrentText(keep);
    // Rebuilt quietly: a new row elsewhere must not reset what the user typed for the fleet.
    const QString keepFleet = fleetChoice_->currentText();
    {
        const QSignalBlocker quiet(fleetChoice_);
        fleetChoice_->clear();
        fleetChoice_->addItems(models_.topology().fleets());
        if (!keepFleet.isEmpty())
            fleetChoice_->setCurrentText(keepFleet);
    }
    if (fleetChoice_->currentText() != keepFleet)
        showFleetDefaults(fleetChoice_->currentText());
}

void MainWindow::showFleetDefaults(const QString& fleet) {
    if (!live_ || !live_->fleetNames().contains(fleet))
        return;
    if (const auto [count, rate] = live_->fleetDefaults(fleet); count > 0) {
        clientCount_->setValue(static_cast<int>(count));
        publishRate_->setValue(rate);
    }
}

QStringList MainWindow::knownLinks() const {
    QStringList links{QStringLiteral("client-balancer")};
    for (int r = 0; r < models_.topology().rowCount(); ++r) {
        const auto& n = models_.topology().node(r);
        if (n.kind == TopologyModel::Kind::Relay)
            links << QStringLiteral("balancer-") + n.id << n.id + QStringLiteral("-redis");
    }
    return links;
}

void MainWindow::showRelayMenu(const QString& relay, const QPoint& pos) {
    QMenu menu(this);
    menu.addSection(relay);
    const std::pair<const char*, ev::action_kind> items[] = {
        {"Kill (SIGKILL)", ev::action_kind::kill},
        {"Stop (SIGSTOP)", ev::action_kind::stop},
        {"Continue (SIGCONT)", ev::action_kind::cont},
        {"Restart", ev::action_kind::restart},
        {"Drain (SIGTERM)", ev::action_kind::drain},
        {"Remove from balancer", ev::action_kind::remove_relay}};
    for (const auto& [label, kind] : items)
        menu.addAction(tr(label), this, [this, relay, k = kind] { relayAction(k, relay); });
    menu.addSeparator();
    menu.addAction(tr("Partition from Redis"), this, [this, relay] {
        HandAction a;
        a.kind = ev::action_kind::fault;
        a.target = relay + QStringLiteral("-redis");
        a.toxic = QStringLiteral("partition");
        submitHandAction(a);
    });
    menu.addAction(tr("Fault on its links…"), this,
                   [this, relay] { openFaultDialog(QStringLiteral("balancer-") + relay); });
    menu.exec(pos);
}

void MainWindow::showRedisMenu(const QPoint& pos) {
    QMenu menu(this);
    menu.addSection(tr("Redis"));
    menu.addAction(tr("Restart Redis"), this, [this] {
        HandAction a;
        a.kind = ev::action_kind::restart_redis;
        a.target = QStringLiteral("redis");
        submitHandAction(a);
    });
    menu.exec(pos);
}

void MainWindow::showLinkMenu(const QString& link, const QPoint& pos) {
    QMenu menu(this);
    menu.addSection(link);
    menu.addAction(tr("Partition"), this, [this, link] {
        HandAction a;
        a.kind = ev::action_kind::fault;
        a.target = link;
        a.toxic = QStringLiteral("partition");
        submitHandAction(a);
    });
    menu.addAction(tr("Add 200 ms latency"), this, [this, link] {
        HandAction a;
        a.kind = ev::action_kind::fault;
        a.target = link;
        a.toxic = QStringLiteral("latency");
        a.latencyMs = 200;
        submitHandAction(a);
    });
    menu.addAction(tr("Other fault…"), this, [this, link] { openFaultDialog(link); });
    menu.addAction(tr("Clear faults"), this, [this, link] {
        HandAction a;
        a.kind = ev::action_kind::clear_fault;
        a.target = link;
        submitHandAction(a);
    });
    menu.exec(pos);
}

void MainWindow::openFaultDialog(const QString& link) {
    FaultDialog d(knownLinks(), link, this);
    if (d.exec() == QDialog::Accepted)
        submitHandAction(d.action());
}

void MainWindow::updateStatus() {
    QString mode;
    if (live_ && live_->running() && live_->world() == RunWorld::Simulated)
        mode = tr("SIMULATION %1 at %2%3")
                   .arg(source_,
                        replay_.speed() <= 0 ? tr("max speed")
                                             : tr("%1×").arg(replay_.speed(), 0, 'g', 3),
                        live_->paused() ? tr(" (paused)") : QString());
    else if (live_ && live_->running())
        mode = tr("LIVE %1%2").arg(source_, live_->paused() ? tr(" (timeline paused)") : QString());
    else if (!replay_.events().empty())
        mode =
            tr("replay %1 — %2 / %3 s%4")
                .arg(source_)
                .arg(replay_.position() > replay_.length() ? replay_.length() : replay_.position(),
                     0, 'f', 1)
                .arg(replay_.length(), 0, 'f', 1)
                .arg(replay_.finished()  ? tr(" (done)")
                     : replay_.playing() ? QString()
                                         : tr(" (paused)"));
    else if (!source_.isEmpty())
        mode = tr("scenario %1 — not running (Run starts it)").arg(source_);
    else
        mode = tr("idle — open an event log (or a scenario)");
    QString text = mode + tr("   |   t = %1 s   events %2")
                              .arg(models_.now(), 0, 'f', 1)
                              .arg(models_.eventsApplied());
    if (!models_.scenario().isEmpty())
        text += tr("   scenario %1").arg(models_.scenario());
    const int passed = models_.assertions().passed();
    const int failed = models_.assertions().failed();
    if (passed + failed > 0)
        text += tr("   assertions %1 passed, %2 failed").arg(passed).arg(failed);
    if (!models_.verdict().isEmpty())
        text += tr("   verdict: %1").arg(models_.verdict().toUpper());
    if (pump_.droppedSamples() > 0)
        text += tr("   (%1 samples thinned)").arg(pump_.droppedSamples());
    status_->setText(text);
}

}  // namespace switchyard::gui
