#include "gui/relay_table_model.hpp"

#include "gui/topology_model.hpp"

namespace switchyard::gui {

RelayTableModel::RelayTableModel(QObject* parent) : QSortFilterProxyModel(parent) {
    // Health and counts change on every metrics period: re-filtering on each change would
    // cost more than it saves, and rows never change kind.
    setDynamicSortFilter(false);
}

void RelayTableModel::setTheme(const Theme& t) {
    theme_ = t;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

bool RelayTableModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    return i.data(TopologyModel::KindRole).toInt() == static_cast<int>(TopologyModel::Kind::Relay);
}

bool RelayTableModel::filterAcceptsColumn(int sourceColumn, const QModelIndex&) const {
    return sourceColumn != TopologyModel::KindCol;
}

QVariant RelayTableModel::data(const QModelIndex& index, int role) const {
    if (index.isValid() && mapToSource(index).column() == TopologyModel::Health) {
        const QString h = QSortFilterProxyModel::data(index, Qt::DisplayRole).toString();
        if (role == Qt::DecorationRole)
            return theme_.health(h);
        if (role == Qt::ForegroundRole)
            return theme_.health(h);
    }
    return QSortFilterProxyModel::data(index, role);
}

QString RelayTableModel::relayAt(int row) const {
    if (row < 0 || row >= rowCount())
        return {};
    return index(row, 0).data(TopologyModel::IdRole).toString();
}

}  // namespace switchyard::gui
