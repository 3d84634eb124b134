#pragma once
// Whether a parsed JSON value can be written back as JSON. Boost.JSON reads a number too large
// for a double (`4e35555515`, `1e400`) as infinity without an error, and serializes infinity as
// `Infinity`, which is not JSON: a client publishing such a number would have the relay
// broadcast a frame no subscriber can parse (found by relay_message_fuzz).
#include <boost/json/value.hpp>

namespace switchyard::relay {

/// True when every number in `v` (at any depth) is finite, i.e. serializes as valid JSON.
bool json_numbers_finite(const boost::json::value& v);

}  // namespace switchyard::relay
