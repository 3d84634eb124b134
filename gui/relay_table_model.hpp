#pragma once
// The relays table: the topology model filtered to relay rows, with the health cell coloured.
// A proxy rather than a second store, so both views always agree.
#include <QSortFilterProxyModel>

#include "gui/theme.hpp"

namespace switchyard::gui {

/// Rows: relays only. Columns: the topology model's minus "Kind". Small dataChanged ranges
/// from the source pass through unchanged (one row each).
class RelayTableModel : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit RelayTableModel(QObject* parent = nullptr);
    void setTheme(const Theme& t);
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    /// Relay id of a proxy row ("" when out of range).
    QString relayAt(int row) const;

  protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const override;

  private:
    Theme theme_ = Theme::darkTheme();
};

}  // namespace switchyard::gui
