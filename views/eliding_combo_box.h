#pragma once
// A combo box for a narrow column: the closed box shows its text cut with "…" where it does not
// fit (a plain QComboBox cuts it mid-letter, with no sign that more follows). Its list already
// opens wide enough for every entry whole.
#include <QComboBox>

namespace seaside::views {

class ElidingComboBox : public QComboBox {
    Q_OBJECT
public:
    using QComboBox::QComboBox;
    /// The text the closed box shows at its current width.
    QString shownText() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QRect textRect() const;
};

} // namespace seaside::views
