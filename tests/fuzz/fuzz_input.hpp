#pragma once
// Takes a fuzz input apart into small decisions and byte strings (the shape of clang's
// FuzzedDataProvider, which gcc builds do not have). Once the bytes run out every call answers
// zero or empty, so any input is a complete, deterministic program.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::fuzz {

class fuzz_input {
  public:
    fuzz_input(const std::uint8_t* data, std::size_t size)
        : rest_(reinterpret_cast<const char*>(data), size) {}

    bool empty() const noexcept { return rest_.empty(); }
    std::size_t remaining() const noexcept { return rest_.size(); }

    std::uint8_t byte() {
        if (rest_.empty())
            return 0;
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    /// A value in [0, n) from one byte (n <= 256) or two.
    std::size_t below(std::size_t n) {
        if (n <= 1)
            return 0;
        std::size_t v = byte();
        if (n > 256)
            v = (v << 8) | byte();
        return v % n;
    }
    /// Up to `max` bytes, the length taken from one byte.
    std::string_view bytes(std::size_t max) {
        const std::size_t n = std::min<std::size_t>(below(max + 1), rest_.size());
        const auto s = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return s;
    }
    /// Everything left.
    std::string_view rest() {
        const auto s = rest_;
        rest_ = {};
        return s;
    }

  private:
    std::string_view rest_;
};

}  // namespace switchyard::fuzz
