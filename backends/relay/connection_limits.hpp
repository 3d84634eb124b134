#pragma once
// Admission of client TCP connections: a relay-wide maximum and one per client address. Pure:
// no sockets, no lock (the relay guards it with one mutex, see relay_server::admit_connection).
#include <cstddef>
#include <map>
#include <string>

namespace switchyard::relay {

/// What to do with a connection that was just accepted.
enum class admission { accepted, over_total, over_address };

/// Counts open client connections, in total and per address, against two maximums (0 = no
/// maximum). Every accepted connection must be released exactly once.
class connection_limits {
  public:
    connection_limits(std::size_t total_max, std::size_t per_address_max)
        : total_max_(total_max), per_address_max_(per_address_max) {}

    /// Counts a new connection from `address` when both maximums allow it; otherwise counts
    /// nothing and says which maximum refused it.
    admission admit(const std::string& address);
    /// A connection admitted from `address` closed.
    void release(const std::string& address);

    std::size_t total() const noexcept { return total_; }
    std::size_t from(const std::string& address) const;
    /// Addresses with at least one open connection (the map never keeps zero counts).
    std::size_t addresses() const noexcept { return per_address_.size(); }

  private:
    std::size_t total_max_;
    std::size_t per_address_max_;
    std::size_t total_ = 0;
    std::map<std::string, std::size_t, std::less<>> per_address_;
};

}  // namespace switchyard::relay
