#pragma once
// How an event reads in the log, the timeline and tooltips: a category, a subject (the
// component, client or assertion it is about) and one line of text.
#include <QString>

#include "engine/events/event.hpp"

namespace switchyard::gui {

/// Log categories; the event log filter toggles them one by one.
enum class EventCategory : int {
    Run,
    Component,
    Health,
    Client,
    Action,
    Fault,
    Assertion,
    Log,
    Traffic,  ///< metrics and delivery samples (never shown in the log: too many)
};
inline constexpr int kEventCategoryCount = 9;

QString categoryName(EventCategory c);
EventCategory categoryOf(const events::event& e);

/// One event in words.
struct EventText {
    EventCategory category = EventCategory::Log;
    QString subject;
    QString text;
    bool bad = false;  ///< failed assertion, failed action, component death, error log
};
EventText describe(const events::event& e);
/// A few words for the timeline: "kill relay-2", "relay-2 down", "FAIL lost".
QString shortLabel(const events::event& e);

/// "12.345 s" for a run-clock time.
QString formatTime(events::micros at);
QString qs(const std::string& s);
/// "950", "45k", "1.2M": rates that fit a small box.
QString compact(double v);

}  // namespace switchyard::gui
