#include "engine/scenario/plan_builder.hpp"

#include <algorithm>
#include <set>

namespace switchyard::scenario {

using events::action_kind;

namespace {
bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

run::cluster_plan make_cluster_plan(const scenario& s, const plan_options& options) {
    run::cluster_plan p;
    p.cluster = s.cluster;
    p.seed = s.seed;
    p.startup_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.startup_timeout);
    std::set<std::string> future;
    for (const auto& a : s.timeline)
        if (a.kind == action_kind::add_relay)
            future.insert(a.target);
    for (unsigned i = 0; i < options.spare_relays; ++i) {
        std::string id;
        for (unsigned n = 1;; ++n) {
            id = "relay-" + std::to_string(n);
            if (!future.count(id) && !contains(s.cluster.relays.names, id))
                break;
        }
        future.insert(id);
    }
    p.future_relays.assign(future.begin(), future.end());
    p.netns_relays = netns_relays(s);
    if (options.proxy_all_links) {
        auto all = s.cluster.relays.names;
        all.insert(all.end(), p.future_relays.begin(), p.future_relays.end());
        p.proxied_links = run::link_names(all);
    } else {
        for (const auto& a : s.timeline)
            if (a.kind == action_kind::fault && !a.netns)
                p.proxied_links.push_back(a.target);
    }
    return p;
}

run::timeline make_timeline(const scenario& s) {
    run::timeline t;
    t.actions.reserve(s.timeline.size());
    for (const auto& a : s.timeline)
        t.actions.push_back(a);  // the run::action part; the file mark stays behind
    std::stable_sort(t.actions.begin(), t.actions.end(),
                     [](const run::action& x, const run::action& y) { return x.at < y.at; });
    return t;
}

run::run_plan make_run_plan(const scenario& s) {
    run::run_plan p;
    p.name = s.name;
    p.file = s.file;
    p.seed = s.seed;
    p.duration = s.duration;
    p.drain = s.drain;
    p.metrics_interval = s.metrics_interval;
    p.fleets = s.fleets;
    p.timeline = make_timeline(s);
    p.expect = s.expect;
    return p;
}

}  // namespace switchyard::scenario
