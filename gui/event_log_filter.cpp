#include "gui/event_log_filter.hpp"

#include "gui/event_log_model.hpp"

namespace switchyard::gui {

EventLogFilter::EventLogFilter(QObject* parent) : QSortFilterProxyModel(parent) {
    enabled_.set();
    // Log rows never change after insertion, so only inserted rows need filtering.
    setDynamicSortFilter(false);
}

void EventLogFilter::setCategoryEnabled(EventCategory c, bool on) {
    enabled_.set(static_cast<std::size_t>(c), on);
    invalidateFilter();
}

bool EventLogFilter::categoryEnabled(EventCategory c) const {
    return enabled_.test(static_cast<std::size_t>(c));
}

void EventLogFilter::setText(const QString& text) {
    text_ = text.trimmed();
    invalidateFilter();
}

void EventLogFilter::setProblemsOnly(bool on) {
    problemsOnly_ = on;
    invalidateFilter();
}

bool EventLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const int cat = i.data(EventLogModel::CategoryRole).toInt();
    if (cat < 0 || cat >= kEventCategoryCount || !enabled_.test(static_cast<std::size_t>(cat)))
        return false;
    if (problemsOnly_ && !i.data(EventLogModel::BadRole).toBool())
        return false;
    if (text_.isEmpty())
        return true;
    const QAbstractItemModel* m = sourceModel();
    return m->index(sourceRow, EventLogModel::Subject, sourceParent)
               .data()
               .toString()
               .contains(text_, Qt::CaseInsensitive) ||
           m->index(sourceRow, EventLogModel::Text, sourceParent)
               .data()
               .toString()
               .contains(text_, Qt::CaseInsensitive);
}

}  // namespace switchyard::gui
