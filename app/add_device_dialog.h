#pragma once
#include "hw/platform.h"

#include <QDialog>

class QLineEdit;
class QTreeWidget;
class QComboBox;

namespace seaside::app {

/// Picks a device from the catalogue: searchable, grouped by kind, with its figures and the
/// datasheet they come from; the instance gets a name that is free on the platform.
class AddDeviceDialog : public QDialog {
    Q_OBJECT
public:
    AddDeviceDialog(const hw::Platform &platform, QWidget *parent = nullptr);
    hw::DeviceInstance device() const;
    void setFilter(const QString &text);
    int visibleDevices() const;
    bool select(const std::string &catalogueId);

private:
    const hw::Platform &m_platform;
    QLineEdit *m_filter;
    QLineEdit *m_name;
    QTreeWidget *m_tree;
};

/// Joins two devices of the platform with a link kind from the catalogue.
class AddLinkDialog : public QDialog {
    Q_OBJECT
public:
    AddLinkDialog(const hw::Platform &platform, QWidget *parent = nullptr);
    hw::LinkInstance link() const;

private:
    const hw::Platform &m_platform;
    QComboBox *m_a, *m_b, *m_kind;
};

} // namespace seaside::app
