#pragma once
#include "hw/device_spec.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;

namespace seaside::app {

/// Edits a device's figures (or makes a custom device): name, kind, peak per dtype, memory,
/// bandwidth and power, in the units people read on datasheets. The document validates.
class DeviceEditor : public QDialog {
    Q_OBJECT
public:
    DeviceEditor(const hw::DeviceSpec &spec, QWidget *parent = nullptr);
    hw::DeviceSpec spec() const;
    /// For tests and scripted use: set a field by its label ("Memory bandwidth (GB/s)").
    void setField(const QString &label, double value);

private:
    hw::DeviceSpec m_base;
    QLineEdit *m_name, *m_source;
    QComboBox *m_kind;
    std::vector<std::pair<QString, QDoubleSpinBox *>> m_fields;
};

} // namespace seaside::app
