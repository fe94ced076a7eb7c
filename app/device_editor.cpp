#include "device_editor.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>

namespace seaside::app {

namespace {
// label, unit scale from the SI value, and which field of the spec
struct Field {
    const char *label;
    double scale;
};
constexpr Field kFields[] = {
    {"Peak fp32 (TFLOP/s)", 1e12}, {"Peak fp16 (TFLOP/s)", 1e12}, {"Peak int8 (TOP/s)", 1e12},
    {"Memory (GB)", 1e9},          {"Memory bandwidth (GB/s)", 1e9}, {"Idle power (W)", 1},
    {"Max power (W)", 1},
};

double peak(const hw::DeviceSpec &d, graph::DType t) {
    auto it = d.peakOps.find(t);
    return it == d.peakOps.end() ? 0 : it->second;
}
} // namespace

DeviceEditor::DeviceEditor(const hw::DeviceSpec &spec, QWidget *parent) : QDialog(parent), m_base(spec) {
    setWindowTitle(tr("Device figures"));
    auto *form = new QFormLayout(this);
    m_name = new QLineEdit(QString::fromStdString(spec.name), this);
    form->addRow(tr("Name:"), m_name);
    m_kind = new QComboBox(this);
    for (const char *k : {"gpu", "fpga", "cpu", "npu"})
        m_kind->addItem(k);
    m_kind->setCurrentText(QString::fromStdString(std::string(hw::deviceKindName(spec.kind))));
    form->addRow(tr("Kind:"), m_kind);
    const double values[] = {peak(spec, graph::DType::F32), peak(spec, graph::DType::F16), peak(spec, graph::DType::I8),
                             spec.memCapacity, spec.memBandwidth, spec.idlePower, spec.maxPower};
    for (std::size_t i = 0; i < std::size(kFields); ++i) {
        auto *box = new QDoubleSpinBox(this);
        box->setRange(-1e9, 1e9); // negative values reach the document, which names them as wrong
        box->setDecimals(3);
        box->setValue(values[i] / kFields[i].scale);
        form->addRow(tr(kFields[i].label), box);
        m_fields.push_back({kFields[i].label, box});
    }
    m_source = new QLineEdit(QString::fromStdString(spec.source.empty() ? "user-entered figures" : spec.source), this);
    form->addRow(tr("Source:"), m_source);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void DeviceEditor::setField(const QString &label, double value) {
    for (auto &[l, box] : m_fields)
        if (l == label)
            box->setValue(value);
}

hw::DeviceSpec DeviceEditor::spec() const {
    hw::DeviceSpec d = m_base;
    d.name = m_name->text().toStdString();
    d.kind = hw::deviceKindFromName(m_kind->currentText().toStdString()).value_or(d.kind);
    d.source = m_source->text().toStdString();
    auto value = [&](std::size_t i) { return m_fields[i].second->value() * kFields[i].scale; };
    const graph::DType types[] = {graph::DType::F32, graph::DType::F16, graph::DType::I8};
    for (std::size_t i = 0; i < 3; ++i) {
        if (value(i) == 0)
            d.peakOps.erase(types[i]); // 0: the device does not run that dtype
        else
            d.peakOps[types[i]] = value(i);
    }
    d.memCapacity = value(3);
    d.memBandwidth = value(4);
    d.idlePower = value(5);
    d.maxPower = value(6);
    if (d.kind == hw::DeviceKind::Fpga && !d.fpga)
        d.fpga = hw::FpgaResources{100000, 200000, 1000, 500, 0}; // a small FPGA until the user says more
    return d;
}

} // namespace seaside::app
