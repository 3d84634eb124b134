#include "engine/events/ndjson.hpp"

#include <cmath>
#include <limits>

#include <boost/json.hpp>
#include <boost/mp11.hpp>

namespace switchyard::events {

namespace json = boost::json;
namespace {

// Writing -------------------------------------------------------------------------------------

template <class T>
json::value to_value(const T& v);

template <class T>
json::object to_object(const T& s) {
    json::object o;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            using field_t = std::remove_cvref_t<decltype(s.*d.pointer)>;
            if constexpr (std::is_same_v<field_t, micros>)
                o[std::string(d.name) + "_us"] = (s.*d.pointer).count();
            else
                o[d.name] = to_value(s.*d.pointer);
        });
    return o;
}

template <class T>
json::value to_value(const T& v) {
    if constexpr (std::is_floating_point_v<T>) {
        // JSON has no infinity or NaN (a failover that never recovered measures inf).
        if (std::isnan(v))
            return json::value("nan");
        if (std::isinf(v))
            return json::value(v > 0 ? "inf" : "-inf");
        return json::value(v);
    } else if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T>)
        return json::value(v);
    else if constexpr (std::is_same_v<T, std::string>)
        return json::value(json::string_view(v));
    else if constexpr (std::is_same_v<T, action_kind>)
        return json::value(to_string(v));
    else if constexpr (std::is_same_v<T, std::vector<relay_load>>) {
        json::array a;
        for (const auto& x : v)
            a.push_back(to_object(x));
        return a;
    } else
        return to_object(v);
}

// Reading -------------------------------------------------------------------------------------

[[noreturn]] void fail(std::string_view field, std::string_view want) {
    throw ndjson_error("field '" + std::string(field) + "' must be " + std::string(want));
}

template <class T>
void from_value(const json::value& v, std::string_view name, T& out);

template <class T>
void from_object(const json::object& o, T& s) {
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            using field_t = std::remove_cvref_t<decltype(s.*d.pointer)>;
            if constexpr (std::is_same_v<field_t, micros>) {
                const std::string key = std::string(d.name) + "_us";
                if (const auto* v = o.if_contains(key)) {
                    if (!v->is_int64() && !v->is_uint64())
                        fail(key, "an integer");
                    s.*d.pointer = micros{v->to_number<std::int64_t>()};
                }
            } else if (const auto* v = o.if_contains(d.name)) {
                from_value(*v, d.name, s.*d.pointer);
            }
        });
}

template <class T>
void from_value(const json::value& v, std::string_view name, T& out) {
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_bool())
            fail(name, "true or false");
        out = v.get_bool();
    } else if constexpr (std::is_integral_v<T>) {
        if (!v.is_int64() && !v.is_uint64())
            fail(name, "an integer");
        try {
            out = v.to_number<T>();
        } catch (const std::exception&) {
            fail(name, "an integer in range");
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (v.is_string() &&
            (v.get_string() == "inf" || v.get_string() == "-inf" || v.get_string() == "nan")) {
            out = v.get_string() == "nan"   ? std::numeric_limits<T>::quiet_NaN()
                  : v.get_string() == "inf" ? std::numeric_limits<T>::infinity()
                                            : -std::numeric_limits<T>::infinity();
            return;
        }
        if (!v.is_number())
            fail(name, "a number or \"inf\"");
        out = v.to_number<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string())
            fail(name, "a string");
        out = std::string(v.get_string());
    } else if constexpr (std::is_same_v<T, action_kind>) {
        if (!v.is_string() || !parse_action_kind(v.get_string(), out))
            fail(name, "an action name");
    } else if constexpr (std::is_same_v<T, std::vector<relay_load>>) {
        if (!v.is_array())
            fail(name, "an array");
        out.clear();
        for (const auto& x : v.get_array()) {
            if (!x.is_object())
                fail(name, "an array of objects");
            relay_load r;
            from_object(x.get_object(), r);
            out.push_back(std::move(r));
        }
    } else {
        if (!v.is_object())
            fail(name, "an object");
        from_object(v.get_object(), out);
    }
}

template <std::size_t I = 0>
event make_event(std::string_view type, const json::object& o) {
    if constexpr (I == std::variant_size_v<event>) {
        throw ndjson_error("unknown event type '" + std::string(type) + "'");
    } else {
        if (type == event_name_at(I)) {
            std::variant_alternative_t<I, event> e;
            from_object(o, e);
            return e;
        }
        return make_event<I + 1>(type, o);
    }
}

}  // namespace

std::string to_ndjson(const event& e) {
    json::object o;
    o["type"] = event_name(e);
    std::visit(
        [&](const auto& v) {
            for (auto& kv : to_object(v))
                o[kv.key()] = std::move(kv.value());
        },
        e);
    return json::serialize(o);
}

event from_ndjson(std::string_view line) {
    json::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec)
        throw ndjson_error("bad JSON: " + ec.message());
    if (!v.is_object())
        throw ndjson_error("an event must be a JSON object");
    const auto& o = v.get_object();
    const auto* type = o.if_contains("type");
    if (!type || !type->is_string())
        throw ndjson_error("missing \"type\"");
    return make_event(type->get_string(), o);
}

std::vector<event> read_ndjson(std::istream& in) {
    std::vector<event> out;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        try {
            out.push_back(from_ndjson(line));
        } catch (const ndjson_error& err) {
            throw ndjson_error("line " + std::to_string(n) + ": " + err.what());
        }
    }
    return out;
}

}  // namespace switchyard::events
