#include "gui/event_log_model.hpp"

namespace switchyard::gui {

EventLogModel::EventLogModel(QObject* parent) : QAbstractTableModel(parent) {}

int EventLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row& r = row(index.row());
    switch (role) {
        case CategoryRole:
            return static_cast<int>(r.text.category);
        case TimeRole:
            return static_cast<qlonglong>(r.at.count());
        case BadRole:
            return r.text.bad;
        case Qt::ForegroundRole:
            if (r.text.bad)
                return theme_.down;
            if (index.column() == Category)
                return theme_.mutedText;
            return {};
        case Qt::DisplayRole:
            switch (index.column()) {
                case Time:
                    return formatTime(r.at);
                case Category:
                    return categoryName(r.text.category);
                case Subject:
                    return r.text.subject;
                case Text:
                    return r.text.text;
                default:
                    return {};
            }
        default:
            return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* kNames[ColumnCount] = {"Time", "Category", "Subject", "Event"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

void EventLogModel::appendBatch(const std::vector<events::event>& batch) {
    std::vector<Row> fresh;
    for (const auto& e : batch) {
        EventText t = describe(e);
        if (t.category == EventCategory::Traffic)
            continue;
        fresh.push_back(Row{events::event_time(e), std::move(t)});
    }
    if (fresh.empty())
        return;
    if (rows_.size() + fresh.size() > static_cast<std::size_t>(kMaxRows)) {
        const std::size_t over = rows_.size() + fresh.size() - static_cast<std::size_t>(kMaxRows);
        const std::size_t drop =
            std::min(rows_.size(), std::max(over, static_cast<std::size_t>(kTrimRows)));
        if (drop > 0) {
            beginRemoveRows({}, 0, static_cast<int>(drop) - 1);
            rows_.erase(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(drop));
            endRemoveRows();
        }
        if (fresh.size() > static_cast<std::size_t>(kMaxRows))
            fresh.erase(fresh.begin(), fresh.end() - kMaxRows);
    }
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
    for (auto& r : fresh)
        rows_.push_back(std::move(r));
    endInsertRows();
}

void EventLogModel::clear() {
    beginResetModel();
    rows_.clear();
    endResetModel();
}

}  // namespace switchyard::gui
