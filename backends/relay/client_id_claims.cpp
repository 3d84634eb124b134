#include "backends/relay/client_id_claims.hpp"

namespace switchyard::relay {

std::optional<id_holder> client_id_claims::claim(const std::string& id, id_holder holder) {
    auto [it, fresh] = holders_.try_emplace(id, holder);
    if (fresh)
        return std::nullopt;
    std::optional<id_holder> replaced;
    if (it->second.sub != holder.sub)
        replaced = it->second;
    it->second = holder;
    return replaced;
}

bool client_id_claims::release(const std::string& id, policy::subscriber_id sub) {
    auto it = holders_.find(id);
    if (it == holders_.end() || it->second.sub != sub)
        return false;
    holders_.erase(it);
    return true;
}

std::optional<id_holder> client_id_claims::holder(const std::string& id) const {
    auto it = holders_.find(id);
    if (it == holders_.end())
        return std::nullopt;
    return it->second;
}

}  // namespace switchyard::relay
