#include "backends/relay/json_finite.hpp"

#include <cmath>
#include <vector>

namespace switchyard::relay {

bool json_numbers_finite(const boost::json::value& root) {
    // An explicit stack, not recursion: the walk's depth is whatever the parser allowed.
    std::vector<const boost::json::value*> pending{&root};
    while (!pending.empty()) {
        const boost::json::value* v = pending.back();
        pending.pop_back();
        switch (v->kind()) {
            case boost::json::kind::double_:
                if (!std::isfinite(v->get_double()))
                    return false;
                break;
            case boost::json::kind::array:
                for (const auto& item : v->get_array())
                    pending.push_back(&item);
                break;
            case boost::json::kind::object:
                for (const auto& kv : v->get_object())
                    pending.push_back(&kv.value());
                break;
            default:
                break;  // integers, strings, booleans and null always serialize as JSON
        }
    }
    return true;
}

}  // namespace switchyard::relay
