#pragma once
// Who holds a client id on this relay. Rule (docs/security.md): a new connection with an id
// replaces the one holding it, which is closed 4001; so a client that reconnects while its old
// connection is still half-open on the relay is never locked out. Pure: no lock of its own.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "backends/policy/hub.hpp"

namespace switchyard::relay {

/// One connection holding an id: its subscriber id and the shard it lives on.
struct id_holder {
    policy::subscriber_id sub = 0;
    std::size_t shard = 0;
    bool operator==(const id_holder&) const = default;
};

/// client id -> the connection holding it.
class client_id_claims {
  public:
    /// `holder` takes `id`. Returns the connection it took the id from (to be closed), if any.
    std::optional<id_holder> claim(const std::string& id, id_holder holder);
    /// `sub` let go of `id` (it closed). Does nothing when another connection took it since;
    /// returns whether `sub` was still the holder.
    bool release(const std::string& id, policy::subscriber_id sub);
    std::optional<id_holder> holder(const std::string& id) const;
    std::size_t size() const noexcept { return holders_.size(); }

  private:
    std::map<std::string, id_holder, std::less<>> holders_;
};

}  // namespace switchyard::relay
