#pragma once
// Names (channels, relays) to dense ids for the ledger: a record's name is looked up once and
// state is then kept by id, so the per-delivery path never scans a list of names.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchyard::verify {

/// One name and the highest sequence number noted under it (channels; relays leave it 0).
struct name_entry {
    std::string name;
    std::atomic<std::uint64_t> max{0};
};

/// Names -> ids 0, 1, 2, ... in the order they are first seen, so the ids follow the records
/// (deterministic when the records are). At most `names_max` names (1,048,576): entries live in
/// fixed chunks allocated as needed and never move, so reading an entry by id takes no lock;
/// finding a name takes a shared lock on a hash index that is never iterated (its order reaches
/// no output). Thread-safe.
class name_table {
  public:
    static constexpr std::size_t chunk_size = 1024;
    static constexpr std::size_t chunks_max = 1024;
    static constexpr std::size_t names_max = chunk_size * chunks_max;

    name_table() = default;
    ~name_table();
    name_table(const name_table&) = delete;
    name_table& operator=(const name_table&) = delete;

    /// The id of `name`, added when new. Throws std::length_error past names_max.
    std::uint32_t index(std::string_view name);
    /// The id of `name` when it was added before.
    std::optional<std::uint32_t> find(std::string_view name) const;
    /// The entry of an id index() returned.
    name_entry& operator[](std::uint32_t id) const noexcept {
        return chunks_[id / chunk_size].load(std::memory_order_acquire)->entries[id % chunk_size];
    }
    /// Ids handed out so far (ids are 0 .. size()-1).
    std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }
    /// Raises the entry's max to `seq` (concurrent callers: the highest wins).
    void note(std::uint32_t id, std::uint64_t seq) const noexcept;

  private:
    struct chunk {
        std::array<name_entry, chunk_size> entries;
    };
    struct hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::array<std::atomic<chunk*>, chunks_max> chunks_{};
    std::atomic<std::size_t> count_{0};
    mutable std::shared_mutex mutex_;  // guards ids_ and the insertion of names
    std::unordered_map<std::string, std::uint32_t, hash, std::equal_to<>> ids_;
};

}  // namespace switchyard::verify
