#include "engine/verify/name_table.hpp"

#include <mutex>
#include <stdexcept>

namespace switchyard::verify {

name_table::~name_table() {
    for (auto& c : chunks_)
        delete c.load(std::memory_order_relaxed);
}

std::optional<std::uint32_t> name_table::find(std::string_view name) const {
    std::shared_lock lock(mutex_);
    const auto it = ids_.find(name);
    if (it == ids_.end())
        return std::nullopt;
    return it->second;
}

std::uint32_t name_table::index(std::string_view name) {
    if (const auto id = find(name))
        return *id;
    std::unique_lock lock(mutex_);
    if (const auto it = ids_.find(name); it != ids_.end())
        return it->second;  // added by another thread meanwhile
    const std::size_t n = count_.load(std::memory_order_relaxed);
    if (n == names_max)
        throw std::length_error("ledger: more than " + std::to_string(names_max) +
                                " distinct names (channels or relays)");
    auto& slot = chunks_[n / chunk_size];
    if (!slot.load(std::memory_order_relaxed))
        slot.store(new chunk, std::memory_order_release);
    (*this)[static_cast<std::uint32_t>(n)].name = std::string(name);
    ids_.emplace(std::string(name), static_cast<std::uint32_t>(n));
    // Published last: a reader that sees the count sees the name written before it.
    count_.store(n + 1, std::memory_order_release);
    return static_cast<std::uint32_t>(n);
}

void name_table::note(std::uint32_t id, std::uint64_t seq) const noexcept {
    auto& max = (*this)[id].max;
    auto cur = max.load(std::memory_order_relaxed);
    while (seq > cur && !max.compare_exchange_weak(cur, seq, std::memory_order_relaxed)) {
    }
}

}  // namespace switchyard::verify
