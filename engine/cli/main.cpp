// switchyard: the scenario engine's command line.
#include "engine/cli/cli.hpp"

int main(int argc, char** argv) {
    return switchyard::engine::run_cli(std::vector<std::string>(argv + 1, argv + argc));
}
