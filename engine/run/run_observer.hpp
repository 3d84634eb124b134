#pragma once
// The observer the engine hands to the fleet: every record goes to the ledger; the rare ones
// (connects, disconnects, failures, resume gaps) also become events. Deliveries and publishes
// never become events one by one: the engine publishes aggregated metrics instead.
#include "engine/events/event_stream.hpp"
#include "engine/fleet/client_observer.hpp"
#include "engine/verify/ledger.hpp"

namespace switchyard::run {

class run_observer final : public fleet::client_observer {
  public:
    run_observer(verify::ledger& ledger, events::event_stream& events)
        : ledger_(ledger), events_(events) {}

    void on_connect(const fleet::connect_record& r) override;
    void on_disconnect(const fleet::disconnect_record& r) override;
    void on_connect_failure(const fleet::connect_failure_record& r) override;
    void on_publish(const fleet::publish_record& r) override { ledger_.on_publish(r); }
    void on_ack(const fleet::ack_record& r) override { ledger_.on_ack(r); }
    void on_delivery(const fleet::delivery_record& r) override { ledger_.on_delivery(r); }
    void on_resume_gap(const fleet::resume_gap_record& r) override;

  private:
    verify::ledger& ledger_;
    events::event_stream& events_;
};

}  // namespace switchyard::run
