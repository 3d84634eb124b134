// The scenario parser reads files users write (and the GUI's editor). Input: a YAML document.
// Invariants: any input gives a validated scenario or a scenario_error, never another
// exception or a crash; the error carries between 1 and diagnostics_max diagnostics, each with
// a message and a position inside the text (line 0 only for a problem with no place), sorted.
#include <cstdint>
#include <string>

#include "engine/scenario/scenario_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace switchyard::scenario;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t lines = 1;
    for (char c : text)
        lines += c == '\n';
    try {
        const scenario s = parse_scenario_text(text, "fuzz.yaml");
        FUZZ_CHECK(s.file == "fuzz.yaml");
    } catch (const scenario_error& e) {
        const auto& d = e.diagnostics();
        FUZZ_CHECK(!d.empty() && d.size() <= diagnostics_max);
        for (std::size_t i = 0; i < d.size(); ++i) {
            FUZZ_CHECK(!d[i].message.empty());
            FUZZ_CHECK(d[i].file == "fuzz.yaml");
            FUZZ_CHECK(d[i].mark.line >= 0 && d[i].mark.column >= 0);
            FUZZ_CHECK(static_cast<std::size_t>(d[i].mark.line) <= lines + 1);
            if (i > 0)
                FUZZ_CHECK(d[i - 1].mark.line <= d[i].mark.line);
        }
        FUZZ_CHECK(std::string_view(e.what()).find("fuzz.yaml") != std::string_view::npos);
    }
    return 0;
}
