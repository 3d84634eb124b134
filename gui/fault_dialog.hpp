#pragma once
// Asks which link to break and how: a partition, added latency (with jitter) or another toxic.
#include <QDialog>

#include "gui/command_sink.hpp"

class QComboBox;
class QSpinBox;

namespace switchyard::gui {

class FaultDialog : public QDialog {
    Q_OBJECT
  public:
    /// `links`: link names known from the topology ("balancer-relay-1", "relay-1-redis", ...).
    FaultDialog(const QStringList& links, const QString& preselected, QWidget* parent = nullptr);
    HandAction action() const;

  private:
    void updateEnabled();
    QComboBox* link_;
    QComboBox* toxic_;
    QSpinBox* latency_;
    QSpinBox* jitter_;
};

}  // namespace switchyard::gui
