// switchyard: the scenario engine's command line.
#include <exception>
#include <iostream>

#include "engine/cli/cli.hpp"

int main(int argc, char** argv) {
    try {
        return switchyard::engine::run_cli(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        // Children still die with us (parent-death signal); say why the testbed stopped.
        std::cerr << "switchyard: " << e.what() << "\n";
        return 3;
    }
}
