#pragma once
#include <QWidget>

class QLineEdit;
class QListWidget;

namespace seaside::views {

/// The operator palette: a searchable list of op kinds to drag onto the canvas.
class OpPalette : public QWidget {
    Q_OBJECT
public:
    static constexpr const char *kMime = "application/x-seaside-opkind";
    explicit OpPalette(QWidget *parent = nullptr);
    void setFilter(const QString &text);
    int visibleCount() const;

private:
    QLineEdit *m_filter;
    QListWidget *m_list;
};

/// The mime type a device carries when dragged onto layers.
inline constexpr const char *kDeviceMime = "application/x-seaside-device";

} // namespace seaside::views
