// sim_vs_real REAL.json SIM.json [--ignore FIGURE]...: compares the figures two reports of one
// scenario share; exit 0 when every figure is within tolerance, 1 when one is not, 2 when a
// report cannot be read.
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/scenarios/sim_vs_real/compare.hpp"

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::invalid_argument("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace switchyard::sim_vs_real;
    if (argc < 3) {
        std::cerr << "usage: sim_vs_real REAL.json SIM.json [--ignore FIGURE]...\n";
        return 2;
    }
    std::vector<std::string> ignore;
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--ignore" && i + 1 < argc) {
            ignore.push_back(argv[++i]);
        } else {
            std::cerr << "sim_vs_real: unknown argument '" << a << "'\n";
            return 2;
        }
    }
    run_figures real, sim;
    try {
        real = figures_from_json(read(argv[1]));
        sim = figures_from_json(read(argv[2]));
    } catch (const std::exception& e) {
        std::cerr << "sim_vs_real: " << e.what() << "\n";
        return 2;
    }
    const auto rows = compare(real, sim, {}, ignore);
    std::cout << real.scenario << ": real " << argv[1] << " vs sim " << argv[2] << "\n"
              << format_table(rows);
    for (const auto& f : ignore)
        std::cout << "(not compared: " << f << ")\n";
    for (const auto& r : rows)
        if (!r.ok)
            return 1;
    return 0;
}
