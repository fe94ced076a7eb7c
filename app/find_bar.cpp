#include "find_bar.h"

#include "design_document.h"
#include "graph_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QToolButton>

namespace seaside::app {

namespace {
bool attrMatches(const graph::Node &n, const QString &key, const QString &value) {
    for (const auto &[k, v] : n.attrs.all()) {
        if (QString::fromStdString(k).compare(key, Qt::CaseInsensitive) != 0)
            continue;
        const QString text = QString::fromStdString(graph::attrToString(v));
        if (text.compare(value, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}
} // namespace

FindBar::FindBar(views::DesignDocument *doc, views::GraphView *view, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_view(view) {
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(new QLabel(tr("Find:"), this));
    m_edit = new QLineEdit(this);
    m_edit->setPlaceholderText(tr("name, op kind (conv) or attribute (out_channels=64)"));
    m_edit->setClearButtonEnabled(true);
    layout->addWidget(m_edit, 1);
    auto *prev = new QToolButton(this);
    prev->setText(tr("Previous"));
    auto *nextButton = new QToolButton(this);
    nextButton->setText(tr("Next"));
    layout->addWidget(prev);
    layout->addWidget(nextButton);
    m_count = new QLabel(this);
    layout->addWidget(m_count);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("×"));
    layout->addWidget(close);
    connect(m_edit, &QLineEdit::textChanged, this, &FindBar::search);
    connect(m_edit, &QLineEdit::returnPressed, this, &FindBar::next);
    connect(nextButton, &QToolButton::clicked, this, &FindBar::next);
    connect(prev, &QToolButton::clicked, this, &FindBar::previous);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    connect(new QShortcut(QKeySequence::FindNext, this, nullptr, nullptr, Qt::WindowShortcut), &QShortcut::activated, this, &FindBar::next);
    connect(new QShortcut(QKeySequence::FindPrevious, this, nullptr, nullptr, Qt::WindowShortcut), &QShortcut::activated, this, &FindBar::previous);
    connect(new QShortcut(QKeySequence(Qt::Key_Escape), m_edit), &QShortcut::activated, this, &QWidget::hide);
    connect(doc, &views::DesignDocument::designReset, this, &FindBar::search);
}

void FindBar::activate() {
    show();
    m_edit->setFocus();
    m_edit->selectAll();
}

void FindBar::setQuery(const QString &text) { m_edit->setText(text); }

void FindBar::search() {
    m_matches.clear();
    m_current = -1;
    const QString q = m_edit->text().trimmed();
    if (!q.isEmpty()) {
        const int eq = q.indexOf('=');
        for (const graph::Node &n : m_doc->design().graph.nodes()) {
            bool hit;
            if (eq > 0)
                hit = attrMatches(n, q.left(eq).trimmed(), q.mid(eq + 1).trimmed());
            else
                hit = QString::fromStdString(n.name).contains(q, Qt::CaseInsensitive) ||
                      QString::fromStdString(std::string(graph::opKindName(n.kind))).compare(q, Qt::CaseInsensitive) == 0 ||
                      QString::fromStdString(n.opType).compare(q, Qt::CaseInsensitive) == 0;
            if (hit)
                m_matches.push_back(n.id);
        }
    }
    m_count->setText(q.isEmpty() ? QString() : tr("%n match(es)", nullptr, int(m_matches.size())));
    if (!m_matches.empty())
        showMatch(0);
}

void FindBar::showMatch(int index) {
    m_current = index;
    m_view->focusNode(m_matches[std::size_t(index)]);
    m_count->setText(tr("%1 of %2").arg(index + 1).arg(m_matches.size()));
}

void FindBar::next() {
    if (!m_matches.empty())
        showMatch((m_current + 1) % int(m_matches.size()));
}

void FindBar::previous() {
    if (!m_matches.empty())
        showMatch((m_current - 1 + int(m_matches.size())) % int(m_matches.size()));
}

} // namespace seaside::app
