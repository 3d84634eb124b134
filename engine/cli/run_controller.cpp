#include "engine/cli/run_controller.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "engine/report/file_reports.hpp"
#include "engine/scenario/plan_builder.hpp"

namespace switchyard::engine {

run_controller::run_controller(scenario::scenario s, run_options options)
    : scenario_(std::move(s)), options_(std::move(options)) {
    if (options_.seed)
        scenario_.seed = *options_.seed;
    if (options_.duration)
        scenario_.duration = *options_.duration;
}

run_controller::~run_controller() {
    request_stop();
    if (thread_.joinable())
        thread_.join();
}

report::run_result run_controller::run() {
    result_ = execute();
    finished_ = true;
    return result_;
}

void run_controller::start() {
    thread_ = std::thread([this] {
        result_ = execute();
        finished_ = true;
    });
}

report::run_result run_controller::wait() {
    if (thread_.joinable())
        thread_.join();
    return result_;
}

void run_controller::request_stop() noexcept {
    stop_requested_.store(true);
    if (auto* r = live_runner_.load())
        r->request_stop();
}

void run_controller::pause() {
    paused_ = true;
    if (auto* r = live_runner_.load())
        r->pause();
}

void run_controller::resume() {
    paused_ = false;
    if (auto* r = live_runner_.load())
        r->resume();
}

void run_controller::apply(scenario::action_spec action) {
    if (auto* r = live_runner_.load()) {
        r->apply(std::move(action));  // the run::action part
        return;
    }
    events_.publish(events::log_message{clock_.now(), "warn",
                                        "hand action " +
                                            std::string(events::to_string(action.kind)) +
                                            " ignored: the run is not in its traffic phase"});
}

std::vector<cluster::component_info> run_controller::components() const {
    std::lock_guard lock(cluster_mutex_);
    return cluster_ ? cluster_->components() : std::vector<cluster::component_info>{};
}

std::filesystem::path run_controller::make_run_dir() const {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string base = std::string(stamp) + "-" + scenario_.name;
    auto dir = options_.runs_root / base;
    for (int n = 2; std::filesystem::exists(dir); ++n)
        dir = options_.runs_root / (base + "-" + std::to_string(n));
    std::filesystem::create_directories(dir);
    return std::filesystem::absolute(dir);
}

report::run_result run_controller::execute() {
    clock_.restart();
    std::unique_ptr<report::ndjson_writer> ndjson;
    std::string run_dir;
    try {
        if (!options_.events_path.empty())
            ndjson = std::make_unique<report::ndjson_writer>(events_, options_.events_path);
        run_dir = make_run_dir().string();
    } catch (const std::exception& e) {
        report::run_result r;
        r.scenario = scenario_.name;
        r.file = scenario_.file;
        r.seed = scenario_.seed;
        r.verdict = "error";
        r.error = e.what();
        r.exit_code = exit_code_for(r.verdict);
        return r;
    }

    scenario::plan_options po;
    po.spare_relays = options_.spare_relays;
    po.proxy_all_links = options_.proxy_all_links;
    {
        std::lock_guard lock(cluster_mutex_);
        cluster_ = std::make_unique<cluster::cluster>(scenario::make_cluster_plan(scenario_, po),
                                                      run_dir, events_, clock_.time_source());
    }
    fleet::fleet_runner_options fo;
    fo.seed = scenario_.seed;
    fo.threads = std::max(1u, options_.fleet_threads);
    fo.epoch = clock_.time_source().origin();
    fleet_ = std::make_unique<real_fleet>(fo);

    run::runner_options ro;
    ro.run_dir = run_dir;
    ro.json_path = options_.json_path;
    ro.junit_path = options_.junit_path;
    ro.run_timeline = options_.run_timeline;
    runner_ = std::make_unique<run::scenario_runner>(
        scenario::make_run_plan(scenario_), run::world{*cluster_, *fleet_, clock_}, events_, ro);
    live_runner_.store(runner_.get());
    // Steering that came before the runner existed.
    if (paused_)
        runner_->pause();
    if (stop_requested_)
        runner_->request_stop();
    return runner_->run();
}

}  // namespace switchyard::engine
