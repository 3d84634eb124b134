#pragma once
// The event log: every event a person would read (not metrics or delivery samples), oldest
// first, appended in batches.
#include <QAbstractTableModel>

#include <deque>
#include <vector>

#include "engine/events/event.hpp"
#include "gui/event_text.hpp"
#include "gui/theme.hpp"

namespace switchyard::gui {

/// Bounded at `kMaxRows`: past it the oldest `kTrimRows` go in one removal, so a long run
/// with thousands of client reconnects keeps constant memory and the view stays fast.
class EventLogModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    static constexpr int kMaxRows = 50'000;
    static constexpr int kTrimRows = 5'000;
    enum Column { Time, Category, Subject, Text, ColumnCount };
    enum Role { CategoryRole = Qt::UserRole + 1, TimeRole, BadRole };

    struct Row {
        events::micros at{};
        EventText text;
    };

    explicit EventLogModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    /// Appends the loggable events of `batch` with one beginInsertRows.
    void appendBatch(const std::vector<events::event>& batch);
    void clear();
    void setTheme(const Theme& t) { theme_ = t; }
    const Row& row(int i) const { return rows_[static_cast<std::size_t>(i)]; }

  private:
    std::deque<Row> rows_;
    Theme theme_ = Theme::darkTheme();
};

}  // namespace switchyard::gui
