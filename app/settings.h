#pragma once
#include "units.h"

#include <QDialog>

class QComboBox;

namespace seaside::app {

/// The studio's preferences, kept with QSettings.
struct StudioSettings {
    bool dark = false;
    views::Units units;
    static StudioSettings load();
    void save() const;
};

/// Light or dark, for the whole application (Fusion style with a dark palette).
void applyTheme(bool dark);

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(const StudioSettings &current, QWidget *parent = nullptr);
    StudioSettings settings() const;

private:
    QComboBox *m_theme, *m_time, *m_energy;
};

} // namespace seaside::app
