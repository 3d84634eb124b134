#pragma once
// Where in a file something was written, and one problem found there: shared by the scenario
// parser and the readers of files a scenario refers to (cost profiles).
#include <string>

namespace switchyard::scenario {

/// Where in the file something was written (1-based; 0 = not from a file).
struct source_mark {
    int line = 0;
    int column = 0;
};

/// One problem in a scenario (or profile) file.
struct diagnostic {
    std::string file;
    source_mark mark;
    std::string message;
    /// "file:line:col: message"
    std::string text() const;
};

}  // namespace switchyard::scenario
