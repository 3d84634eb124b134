#pragma once
// A world without processes for the scenario runner's tests: a virtual clock, a cluster that
// records what it was asked (and can be told to fail), and a fleet that plays a tiny broadcast
// on the clock (one publisher, every client receives every message) so the ledger has real
// records to judge.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/run/world.hpp"
#include "tests/unit/run/virtual_clock.hpp"

namespace switchyard::test {

/// One call the runner made on a driver, and when.
struct driver_call {
    run::micros at;
    std::string what;  ///< "kill relay-1", "fault balancer-relay-1 latency", "set_rate c 2"
};

class fake_cluster final : public run::cluster_driver {
  public:
    explicit fake_cluster(virtual_clock& clock) : clock_(clock) {}

    void start() override;
    void stop() override { note("stop"); }
    std::string client_url() const override { return "ws://fake"; }
    void kill(const std::string& id) override { act("kill", id); }
    void stop_process(const std::string& id) override { act("stop", id); }
    void cont(const std::string& id) override { act("cont", id); }
    void restart(const std::string& id) override { act("restart", id); }
    void drain(const std::string& id) override { act("drain", id); }
    void add_relay(const std::string& id) override { act("add_relay", id); }
    void remove_relay(const std::string& id) override { act("remove_relay", id); }
    void restart_redis() override { act("restart_redis", "redis"); }
    void set_fault(const std::string& link, const std::string& toxic, const faults::toxic_params&,
                   bool) override {
        act("fault", link + " " + toxic);
    }
    void clear_fault(const std::string& link) override { act("clear_fault", link); }
    void poll() override { ++polls; }
    std::vector<run::component_info> components() const override { return {}; }
    std::string health_note() const override { return note_text; }

    std::vector<driver_call> calls;
    std::size_t polls = 0;
    std::string fail_start;        ///< non-empty: start() throws world_error with it
    std::set<std::string> refuse;  ///< ids whose actions throw "<id> is not running"
    std::string note_text;         ///< health_note()

  private:
    void note(std::string what) { calls.push_back({clock_.now(), std::move(what)}); }
    void act(const std::string& verb, const std::string& id);
    virtual_clock& clock_;
};

class fake_fleet final : public run::fleet_driver {
  public:
    explicit fake_fleet(virtual_clock& clock) : clock_(clock) {}

    void start(const std::vector<fleet::fleet_config>& fleets,
               fleet::client_observer& observer) override;
    bool set_publish_rate(std::string_view fleet, double hz) override;
    bool set_count(std::string_view fleet, std::uint32_t count) override;
    void pause_publishing() override;
    void stop() override;

    std::vector<fleet::fleet_config> started;  ///< as the runner passed them
    std::vector<driver_call> calls;
    /// Every message is due to every client; these seqs never reach client 1 (a loss).
    std::set<std::uint64_t> drop_for_client_1;
    run::micros publish_every{100'000};

  private:
    void tick();
    virtual_clock& clock_;
    fleet::client_observer* observer_ = nullptr;
    std::uint32_t clients_ = 0;
    bool publishing_ = false;
    bool stopped_ = false;
    std::uint64_t seq_ = 0;
};

/// The three drivers, wired as a run::world.
struct fake_world {
    virtual_clock clock;
    fake_cluster cluster{clock};
    fake_fleet fleet{clock};
    run::world world() { return {cluster, fleet, clock}; }
};

}  // namespace switchyard::test
