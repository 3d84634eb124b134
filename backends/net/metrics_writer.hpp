#pragma once
// Prometheus text exposition format (version 0.0.4), written once for every server: a HELP
// and a TYPE line per metric family, then its samples, with label values and help text escaped
// as the format requires. The balancer's and the relay's /metrics are written with it.
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace switchyard::net {

/// One `name="value"` pair of a sample.
struct metric_label {
    std::string_view name;
    std::string_view value;
};

/// `value` as a label value: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
/// `text` as HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view text);

class metrics_writer {
  public:
    /// `common`: labels every sample carries, ahead of its own (e.g. lb="name").
    explicit metrics_writer(std::initializer_list<metric_label> common = {});

    /// Starts a family: `# HELP name help` and `# TYPE name type`. A counter's name must end
    /// in `_total` (std::invalid_argument otherwise: a misnamed counter is a programming error
    /// that every scrape would repeat).
    void family(std::string_view name, std::string_view type, std::string_view help);

    /// One sample of the current family: `name{common,extra} value`.
    template <class T>
    void sample(std::string_view name, std::initializer_list<metric_label> extra, T value) {
        sample_head(name, extra);
        append_value(value);
        out_ += '\n';
    }

    /// A family of one sample with the common labels only.
    template <class T>
    void gauge(std::string_view name, std::string_view help, T value) {
        family(name, "gauge", help);
        sample(name, {}, value);
    }
    template <class T>
    void counter(std::string_view name, std::string_view help, T value) {
        family(name, "counter", help);
        sample(name, {}, value);
    }

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void sample_head(std::string_view name, std::initializer_list<metric_label> extra);
    template <class T>
    void append_value(T value) {
        if constexpr (std::is_same_v<T, bool>) {
            out_ += value ? '1' : '0';
        } else {
            static_assert(std::is_integral_v<T>, "metric values are integers here");
            char digits[24];
            const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
            out_.append(digits, end);
        }
    }

    std::string out_;
    std::string common_;  ///< the common labels, formatted and escaped once
};

}  // namespace switchyard::net
