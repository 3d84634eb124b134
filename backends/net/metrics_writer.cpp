#include "backends/net/metrics_writer.hpp"

#include <stdexcept>

namespace switchyard::net {

namespace {

/// Backslash and line feed always; the double quote only inside a label value.
std::string escape(std::string_view text, bool quote) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
    return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    return escape(value, true);
}

std::string escape_help(std::string_view text) {
    return escape(text, false);
}

namespace {

void append_label(std::string& out, const metric_label& l) {
    if (!out.empty())
        out += ',';
    out.append(l.name);
    out += "=\"";
    out += escape_label_value(l.value);
    out += '"';
}

}  // namespace

metrics_writer::metrics_writer(std::initializer_list<metric_label> common) {
    for (const auto& l : common)
        append_label(common_, l);
}

void metrics_writer::family(std::string_view name, std::string_view type, std::string_view help) {
    constexpr std::string_view suffix = "_total";
    if (type == "counter" &&
        (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix))
        throw std::invalid_argument("counter '" + std::string(name) + "' must end in _total");
    out_ += "# HELP ";
    out_.append(name);
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_.append(name);
    out_ += ' ';
    out_.append(type);
    out_ += '\n';
}

void metrics_writer::sample_head(std::string_view name, std::initializer_list<metric_label> extra) {
    out_.append(name);
    std::string labels = common_;
    for (const auto& l : extra)
        append_label(labels, l);
    if (!labels.empty()) {
        out_ += '{';
        out_ += labels;
        out_ += '}';
    }
    out_ += ' ';
}

}  // namespace switchyard::net
