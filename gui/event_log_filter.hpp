#pragma once
// The event log's filter: categories on/off, "problems only", and free text over subject and
// event text (case-insensitive).
#include <QSortFilterProxyModel>

#include <bitset>

#include "gui/event_text.hpp"

namespace switchyard::gui {

class EventLogFilter : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit EventLogFilter(QObject* parent = nullptr);
    void setCategoryEnabled(EventCategory c, bool on);
    bool categoryEnabled(EventCategory c) const;
    void setText(const QString& text);
    void setProblemsOnly(bool on);

  protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

  private:
    std::bitset<kEventCategoryCount> enabled_;
    QString text_;
    bool problemsOnly_ = false;
};

}  // namespace switchyard::gui
