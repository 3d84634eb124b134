#include "gui/assertions_model.hpp"

#include "gui/event_text.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

AssertionsModel::AssertionsModel(QObject* parent) : QAbstractTableModel(parent) {}

int AssertionsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int AssertionsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AssertionsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row& r = row(index.row());
    if (role == PassedRole)
        return r.state == State::Passed;
    if (role == Qt::ForegroundRole && index.column() == Status) {
        if (r.state == State::Passed)
            return theme_.up;
        if (r.state == State::Failed)
            return theme_.down;
        return theme_.mutedText;
    }
    if (role == Qt::ToolTipRole)
        return r.detail;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case Name:
            return r.name;
        case Expected:
            return r.expected.isEmpty() ? QStringLiteral("—") : r.expected;
        case Measured:
            if (!r.measured)
                return QStringLiteral("—");
            return QString::number(*r.measured, 'g', 6) +
                   (r.live ? QStringLiteral(" (live)") : QString());
        case Status:
            switch (r.state) {
                case State::Passed:
                    return QStringLiteral("PASS");
                case State::Failed:
                    return QStringLiteral("FAIL");
                case State::Pending:
                    return QStringLiteral("pending");
            }
            return {};
        case Detail:
            return r.detail;
        default:
            return {};
    }
}

QVariant AssertionsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* kNames[ColumnCount] = {"Assertion", "Expected", "Measured", "Status",
                                              "Detail"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

int AssertionsModel::rowOf(const QString& name) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].name == name)
            return static_cast<int>(i);
    return -1;
}

int AssertionsModel::ensureRow(const QString& name) {
    if (const int r = rowOf(name); r >= 0)
        return r;
    const int r = rowCount();
    beginInsertRows({}, r, r);
    rows_.push_back(Row{name, {}, std::nullopt, false, State::Pending, {}});
    endInsertRows();
    return r;
}

void AssertionsModel::setPlanned(const std::vector<std::pair<QString, QString>>& planned) {
    for (const auto& [name, expected] : planned) {
        const int r = ensureRow(name);
        rows_[static_cast<std::size_t>(r)].expected = expected;
        Q_EMIT dataChanged(index(r, Expected), index(r, Expected));
    }
}

void AssertionsModel::setLive(const QString& name, double value) {
    const int r = rowOf(name);
    if (r < 0)
        return;  // only planned or reported assertions get live values
    Row& row = rows_[static_cast<std::size_t>(r)];
    if (row.state != State::Pending)
        return;  // a verdict is final
    row.measured = value;
    row.live = true;
    Q_EMIT dataChanged(index(r, Measured), index(r, Measured));
}

void AssertionsModel::apply(const ev::event& e) {
    if (std::holds_alternative<ev::run_started>(e)) {
        // A new run keeps the planned rows but forgets values and verdicts.
        for (auto& r : rows_) {
            r.measured.reset();
            r.live = false;
            r.state = State::Pending;
            r.detail.clear();
        }
        reconnects_ = 0;
        if (!rows_.empty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    } else if (const auto* a = std::get_if<ev::assertion_result>(&e)) {
        const int r = ensureRow(qs(a->name));
        Row& row = rows_[static_cast<std::size_t>(r)];
        row.expected = qs(a->expected);
        row.measured = a->measured;
        row.live = false;
        row.state = a->passed ? State::Passed : State::Failed;
        row.detail = qs(a->detail);
        Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
    } else if (const auto* c = std::get_if<ev::client_connected>(&e)) {
        if (c->reconnect)
            setLive(QStringLiteral("reconnects"), static_cast<double>(++reconnects_));
    } else if (const auto* m = std::get_if<ev::metrics>(&e)) {
        setLive(QStringLiteral("latency_p50_ms"),
                static_cast<double>(m->latency_p50.count()) / 1000.0);
        setLive(QStringLiteral("latency_p99_ms"),
                static_cast<double>(m->latency_p99.count()) / 1000.0);
        setLive(QStringLiteral("latency_max_ms"),
                static_cast<double>(m->latency_max.count()) / 1000.0);
        setLive(QStringLiteral("connect_failures"), static_cast<double>(m->connect_failures_total));
        if (m->publishes > 0 && m->clients_connected > 0)
            setLive(QStringLiteral("delivery_ratio"),
                    static_cast<double>(m->deliveries) /
                        (static_cast<double>(m->publishes) * m->clients_connected));
    }
}

void AssertionsModel::clear() {
    beginResetModel();
    rows_.clear();
    reconnects_ = 0;
    endResetModel();
}

int AssertionsModel::passed() const {
    int n = 0;
    for (const auto& r : rows_)
        n += r.state == State::Passed ? 1 : 0;
    return n;
}

int AssertionsModel::failed() const {
    int n = 0;
    for (const auto& r : rows_)
        n += r.state == State::Failed ? 1 : 0;
    return n;
}

}  // namespace switchyard::gui
