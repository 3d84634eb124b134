// Runs a fuzz target's entry point over files and directories given on the command line, so the
// seed corpus and every crash regression replay in builds without libFuzzer (gcc, ctest).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

void run_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    // A copy of exactly `size` bytes, as libFuzzer hands them, so reads past the end show.
    std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::size_t files = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        if (std::filesystem::is_directory(arg)) {
            std::vector<std::filesystem::path> sorted;
            for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
                if (e.is_regular_file())
                    sorted.push_back(e.path());
            std::sort(sorted.begin(), sorted.end());  // a stable order for a failing replay
            for (const auto& p : sorted) {
                run_file(p);
                ++files;
            }
        } else {
            run_file(arg);
            ++files;
        }
    }
    if (files == 0) {
        std::fprintf(stderr, "replay: no corpus files given\n");
        return 1;
    }
    std::printf("replay: %zu inputs ran without a failed invariant\n", files);
    return 0;
}
