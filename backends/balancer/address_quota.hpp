#pragma once
// Client connections per source address, so one address cannot take every connection slot
// (limits.max_connections_per_address). Shared by all proxy workers.
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <map>
#include <mutex>

namespace switchyard::balancer {

/// Counts open connections per address against a limit. Thread-safe: workers accept on their
/// own threads, and an accept takes the lock once and a close once (no lock per request).
class address_quota {
  public:
    /// `limit` 0 means no limit.
    explicit address_quota(std::uint32_t limit) : limit_(limit) {}

    /// Holds one slot of an address until destroyed; empty when it holds nothing.
    class lease {
      public:
        lease() = default;
        lease(lease&& o) noexcept : quota_(o.quota_), key_(o.key_) { o.quota_ = nullptr; }
        lease& operator=(lease&& o) noexcept;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() { reset(); }
        void reset();

      private:
        friend class address_quota;
        address_quota* quota_ = nullptr;
        std::array<unsigned char, 16> key_{};
    };

    /// A slot for `address`, or an empty lease (and false) when the address is at the limit.
    bool try_acquire(const boost::asio::ip::address& address, lease& out);
    /// Open connections of `address` now (for tests and /stats).
    std::uint32_t count(const boost::asio::ip::address& address) const;
    /// Addresses holding at least one connection.
    std::size_t addresses() const;

  private:
    static std::array<unsigned char, 16> key_of(const boost::asio::ip::address& a);
    void release(const std::array<unsigned char, 16>& key);

    std::uint32_t limit_;
    mutable std::mutex mutex_;
    std::map<std::array<unsigned char, 16>, std::uint32_t> open_;
};

}  // namespace switchyard::balancer
