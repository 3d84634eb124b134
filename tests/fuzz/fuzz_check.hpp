#pragma once
// Invariant checks for fuzz targets: a failed one prints what broke and aborts, which libFuzzer
// reports as a crash with the input saved, and which fails the corpus replay test in ctest.
// Not `assert`: the checks must hold in every build type, NDEBUG or not.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(...)                                                               \
    do {                                                                              \
        if (!(__VA_ARGS__)) {                                                         \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                         #__VA_ARGS__);                                               \
            std::abort();                                                             \
        }                                                                             \
    } while (false)
