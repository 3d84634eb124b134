#include "engine/verify/expectation.hpp"

#include <cmath>
#include <cstdio>

namespace switchyard::verify {

std::string format_number(double v) {
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string expectation::text() const {
    if (min && max)
        return "in [" + format_number(*min) + ", " + format_number(*max) + "]";
    if (min)
        return ">= " + format_number(*min);
    if (max)
        return "<= " + format_number(*max);
    return "any";
}

}  // namespace switchyard::verify
