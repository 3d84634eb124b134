#pragma once
// A client_observer for tests: keeps every record under a mutex and answers questions about them.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "engine/fleet/client_observer.hpp"

namespace switchyard::fleet::testing {

class recording_observer final : public client_observer {
  public:
    void on_connect(const connect_record& r) override { add(connects_, r); }
    void on_disconnect(const disconnect_record& r) override { add(disconnects_, r); }
    void on_connect_failure(const connect_failure_record& r) override { add(failures_, r); }
    void on_publish(const publish_record& r) override { add(publishes_, r); }
    void on_ack(const ack_record& r) override { add(acks_, r); }
    void on_delivery(const delivery_record& r) override { add(deliveries_, r); }
    void on_resume_gap(const resume_gap_record& r) override { add(gaps_, r); }

    std::vector<connect_record> connects() const { return get(connects_); }
    std::vector<disconnect_record> disconnects() const { return get(disconnects_); }
    std::vector<connect_failure_record> failures() const { return get(failures_); }
    std::vector<publish_record> publishes() const { return get(publishes_); }
    std::vector<ack_record> acks() const { return get(acks_); }
    std::vector<delivery_record> deliveries() const { return get(deliveries_); }
    std::vector<resume_gap_record> gaps() const { return get(gaps_); }

    /// Clients that reported a connect, counted once each.
    std::size_t clients_connected() const {
        std::set<std::uint32_t> ids;
        for (const auto& c : connects()) {
            ids.insert(c.client);
        }
        return ids.size();
    }
    /// Deliveries per receiving client.
    std::map<std::uint32_t, std::vector<delivery_record>> by_client() const {
        std::map<std::uint32_t, std::vector<delivery_record>> out;
        for (auto& d : deliveries()) {
            out[d.client].push_back(d);
        }
        return out;
    }

  private:
    template <class T>
    void add(std::vector<T>& v, const T& r) {
        std::lock_guard lock(mutex_);
        v.push_back(r);
    }
    template <class T>
    std::vector<T> get(const std::vector<T>& v) const {
        std::lock_guard lock(mutex_);
        return v;
    }
    mutable std::mutex mutex_;
    std::vector<connect_record> connects_;
    std::vector<disconnect_record> disconnects_;
    std::vector<connect_failure_record> failures_;
    std::vector<publish_record> publishes_;
    std::vector<ack_record> acks_;
    std::vector<delivery_record> deliveries_;
    std::vector<resume_gap_record> gaps_;
};

}  // namespace switchyard::fleet::testing
