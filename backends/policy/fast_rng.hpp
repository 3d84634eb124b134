#pragma once
// A small, fast, seedable random generator (xoshiro256**), so that every random choice in
// Switchyard replays from a seed and each component can own an independent stream.
#include <array>
#include <cstdint>
#include <limits>

namespace switchyard::policy {

/// UniformRandomBitGenerator with 256 bits of state. Not for cryptography.
class fast_rng {
  public:
    using result_type = std::uint64_t;

    explicit fast_rng(std::uint64_t seed = 0x5eed) noexcept { reseed(seed); }

    void reseed(std::uint64_t seed) noexcept {
        // splitmix64 spreads a small seed over the whole state, as the xoshiro authors advise.
        for (auto& word : state_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform integer in [0, bound), bound > 0 (Lemire's multiply-shift, bias below 2^-32).
    std::uint64_t below(std::uint64_t bound) noexcept {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>((*this)()) * bound) >>
                                          64);
    }

    /// An independent generator for a sub-component, derived deterministically from this one.
    fast_rng split() noexcept { return fast_rng((*this)()); }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    std::array<std::uint64_t, 4> state_{};
};

}  // namespace switchyard::policy
