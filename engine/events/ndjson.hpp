#pragma once
// Events as NDJSON: one JSON object a line, `"type"` first, durations as integer microseconds in
// keys ending `_us`. `--events FILE` writes this; the GUI reads it back to replay a run.
#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::events {

/// A line that is not a valid event, with the reason.
class ndjson_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// One event as one line of JSON (no trailing newline).
std::string to_ndjson(const event& e);
/// Parses one line. Unknown fields are ignored (newer writers may add some); a missing field
/// keeps its default. Throws ndjson_error on bad JSON, a missing/unknown "type" or a wrong type.
event from_ndjson(std::string_view line);
/// Reads a whole log, skipping blank lines. Throws ndjson_error naming the line number.
std::vector<event> read_ndjson(std::istream& in);

}  // namespace switchyard::events
