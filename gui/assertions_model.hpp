#pragma once
// The assertions panel: each expectation with its live value while the run goes on and its
// verdict once the engine publishes an assertion_result.
#include <QAbstractTableModel>
#include <QString>

#include <optional>
#include <vector>

#include "engine/events/event.hpp"
#include "gui/theme.hpp"

namespace switchyard::gui {

/// Rows are keyed by checker name. A row exists once it is planned (`setPlanned`, from the
/// scenario) or reported. Live values are derived from metrics for the checkers whose value a
/// metrics period carries (latencies, connect failures, reconnects, an estimated delivery
/// ratio); the verdict always comes from the engine.
class AssertionsModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Name, Expected, Measured, Status, Detail, ColumnCount };
    enum Role { PassedRole = Qt::UserRole + 1 };
    enum class State { Pending, Passed, Failed };

    struct Row {
        QString name;
        QString expected;
        std::optional<double> measured;
        bool live = false;  ///< measured is a running value, not the verdict's
        State state = State::Pending;
        QString detail;
    };

    explicit AssertionsModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    /// Expectations known before results (name, expected text such as "<= 1000").
    void setPlanned(const std::vector<std::pair<QString, QString>>& planned);
    void apply(const events::event& e);
    void clear();
    void setTheme(const Theme& t) { theme_ = t; }
    const Row& row(int i) const { return rows_[static_cast<std::size_t>(i)]; }
    int rowOf(const QString& name) const;
    int passed() const;
    int failed() const;

  private:
    int ensureRow(const QString& name);
    void setLive(const QString& name, double value);

    std::vector<Row> rows_;
    Theme theme_ = Theme::darkTheme();
    std::uint64_t reconnects_ = 0;
};

}  // namespace switchyard::gui
