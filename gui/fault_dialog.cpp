#include "gui/fault_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace switchyard::gui {

FaultDialog::FaultDialog(const QStringList& links, const QString& preselected, QWidget* parent)
    : QDialog(parent),
      link_(new QComboBox),
      toxic_(new QComboBox),
      latency_(new QSpinBox),
      jitter_(new QSpinBox) {
    setWindowTitle(tr("Set a fault on a link"));
    link_->setEditable(true);
    link_->addItems(links);
    if (!preselected.isEmpty())
        link_->setCurrentText(preselected);
    // The engine's toxic table names (engine/faults).
    toxic_->addItems({QStringLiteral("partition"), QStringLiteral("latency"),
                      QStringLiteral("blackhole"), QStringLiteral("reset"),
                      QStringLiteral("timeout"), QStringLiteral("bandwidth"),
                      QStringLiteral("slow_close")});
    latency_->setRange(0, 60'000);
    latency_->setSuffix(QStringLiteral(" ms"));
    latency_->setValue(200);
    jitter_->setRange(0, 10'000);
    jitter_->setSuffix(QStringLiteral(" ms"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Link"), link_);
    form->addRow(tr("Toxic"), toxic_);
    form->addRow(tr("Latency"), latency_);
    form->addRow(tr("Jitter"), jitter_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(toxic_, &QComboBox::currentTextChanged, this, &FaultDialog::updateEnabled);
    updateEnabled();
}

void FaultDialog::updateEnabled() {
    const bool latency = toxic_->currentText() == QLatin1String("latency");
    latency_->setEnabled(latency);
    jitter_->setEnabled(latency);
}

HandAction FaultDialog::action() const {
    HandAction a;
    a.kind = events::action_kind::fault;
    a.target = link_->currentText().trimmed();
    a.toxic = toxic_->currentText();
    if (a.toxic == QLatin1String("latency")) {
        a.latencyMs = latency_->value();
        a.jitterMs = jitter_->value();
    }
    return a;
}

}  // namespace switchyard::gui
