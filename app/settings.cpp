#include "settings.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPalette>
#include <QSettings>
#include <QStyleFactory>

namespace seaside::app {

StudioSettings StudioSettings::load() {
    QSettings s;
    StudioSettings out;
    out.dark = s.value("appearance/theme", "light").toString() == "dark";
    out.units.time = s.value("units/time", "auto").toString();
    out.units.energy = s.value("units/energy", "auto").toString();
    return out;
}

void StudioSettings::save() const {
    QSettings s;
    s.setValue("appearance/theme", dark ? "dark" : "light");
    s.setValue("units/time", units.time);
    s.setValue("units/energy", units.energy);
}

void applyTheme(bool dark) {
    static const QPalette light = QApplication::palette(); // the platform's own, to go back to
    if (!dark) {
        QApplication::setPalette(light);
        return;
    }
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QPalette p;
    const QColor window("#2B2D30"), base("#1E1F22"), text("#DFE1E5"), accent("#3574F0");
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor("#8C8F94"));
    QApplication::setPalette(p);
}

SettingsDialog::SettingsDialog(const StudioSettings &current, QWidget *parent) : QDialog(parent) {
    setWindowTitle(tr("Preferences"));
    auto *form = new QFormLayout(this);
    m_theme = new QComboBox(this);
    m_theme->addItems({tr("Light"), tr("Dark")});
    m_theme->setCurrentIndex(current.dark ? 1 : 0);
    m_time = new QComboBox(this);
    for (const char *u : {"auto", "s", "ms", "us"})
        m_time->addItem(u, u);
    m_time->setCurrentIndex(std::max(0, m_time->findData(current.units.time)));
    m_energy = new QComboBox(this);
    for (const char *u : {"auto", "J", "mJ"})
        m_energy->addItem(u, u);
    m_energy->setCurrentIndex(std::max(0, m_energy->findData(current.units.energy)));
    form->addRow(tr("Theme:"), m_theme);
    form->addRow(tr("Time unit:"), m_time);
    form->addRow(tr("Energy unit:"), m_energy);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

StudioSettings SettingsDialog::settings() const {
    StudioSettings s;
    s.dark = m_theme->currentIndex() == 1;
    s.units.time = m_time->currentData().toString();
    s.units.energy = m_energy->currentData().toString();
    return s;
}

} // namespace seaside::app
