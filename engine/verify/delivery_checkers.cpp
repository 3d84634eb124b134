// Checkers on what was delivered: ratio, loss, duplicates, order, volume.
#include "engine/verify/delivery_checkers.hpp"

namespace switchyard::verify {
namespace {

class delivery_ratio_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {s.delivery_ratio, std::to_string(s.received) + " of " + std::to_string(s.expected) +
                                      " due deliveries" +
                                      (s.lost_example.empty() ? "" : "; " + s.lost_example)};
    }
};

class lost_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(s.lost), s.lost_example};
    }
};

class duplicates_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(s.duplicates), s.duplicate_example};
    }
};

class order_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(s.order_violations), s.order_example};
    }
};

class deliveries_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(s.deliveries),
                std::to_string(s.replayed) + " replayed during resume"};
    }
};

class silent_clients_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {static_cast<double>(s.silent_clients),
                "connected clients that received nothing while others did"};
    }
};

class longest_silence_checker final : public checker {
  public:
    measurement measure(const ledger_summary& s) const override {
        return {s.longest_silence.count() / 1000.0, "longest time with no delivery anywhere"};
    }
};

}  // namespace

std::unique_ptr<checker> make_longest_silence_checker() {
    return std::make_unique<longest_silence_checker>();
}
std::unique_ptr<checker> make_delivery_ratio_checker() {
    return std::make_unique<delivery_ratio_checker>();
}
std::unique_ptr<checker> make_lost_checker() {
    return std::make_unique<lost_checker>();
}
std::unique_ptr<checker> make_duplicates_checker() {
    return std::make_unique<duplicates_checker>();
}
std::unique_ptr<checker> make_order_checker() {
    return std::make_unique<order_checker>();
}
std::unique_ptr<checker> make_deliveries_checker() {
    return std::make_unique<deliveries_checker>();
}
std::unique_ptr<checker> make_silent_clients_checker() {
    return std::make_unique<silent_clients_checker>();
}

}  // namespace switchyard::verify
