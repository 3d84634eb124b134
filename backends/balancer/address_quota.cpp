#include "backends/balancer/address_quota.hpp"

namespace switchyard::balancer {

address_quota::lease& address_quota::lease::operator=(lease&& o) noexcept {
    if (this != &o) {
        reset();
        quota_ = o.quota_;
        key_ = o.key_;
        o.quota_ = nullptr;
    }
    return *this;
}

void address_quota::lease::reset() {
    if (quota_)
        quota_->release(key_);
    quota_ = nullptr;
}

std::array<unsigned char, 16> address_quota::key_of(const boost::asio::ip::address& a) {
    // IPv4 and its IPv6-mapped form are one client.
    if (a.is_v4())
        return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes();
    return a.to_v6().to_bytes();
}

bool address_quota::try_acquire(const boost::asio::ip::address& address, lease& out) {
    out.reset();
    if (limit_ == 0)
        return true;
    const auto key = key_of(address);
    std::lock_guard lock(mutex_);
    auto& n = open_[key];
    if (n >= limit_)
        return false;
    ++n;
    out.quota_ = this;
    out.key_ = key;
    return true;
}

void address_quota::release(const std::array<unsigned char, 16>& key) {
    std::lock_guard lock(mutex_);
    auto it = open_.find(key);
    if (it == open_.end())
        return;
    if (--it->second == 0)
        open_.erase(it);
}

std::uint32_t address_quota::count(const boost::asio::ip::address& address) const {
    std::lock_guard lock(mutex_);
    auto it = open_.find(key_of(address));
    return it == open_.end() ? 0 : it->second;
}

std::size_t address_quota::addresses() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

}  // namespace switchyard::balancer
