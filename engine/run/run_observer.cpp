#include "engine/run/run_observer.hpp"

namespace switchyard::run {
namespace {
const char* placement_name(fleet::placement p) {
    switch (p) {
        case fleet::placement::fresh:
            return "fresh";
        case fleet::placement::sticky:
            return "sticky";
        case fleet::placement::failover:
            return "failover";
    }
    return "?";
}
}  // namespace

void run_observer::on_connect(const fleet::connect_record& r) {
    ledger_.on_connect(r);
    if (!ledger_.frozen())
        events_.publish(events::client_connected{r.at, r.client, r.relay, placement_name(r.how),
                                                 r.reconnect, r.fleet});
}

void run_observer::on_disconnect(const fleet::disconnect_record& r) {
    ledger_.on_disconnect(r);
    if (!ledger_.frozen())
        events_.publish(events::client_disconnected{r.at, r.client, r.relay, r.reason, r.fleet});
}

void run_observer::on_connect_failure(const fleet::connect_failure_record& r) {
    ledger_.on_connect_failure(r);
    if (!ledger_.frozen())
        events_.publish(events::connect_failed{r.at, r.client, r.reason, r.fleet});
}

void run_observer::on_resume_gap(const fleet::resume_gap_record& r) {
    ledger_.on_resume_gap(r);
    if (!ledger_.frozen())
        events_.publish(events::resume_gap{r.at, r.client, r.channel, r.requested, r.oldest});
}

}  // namespace switchyard::run
