#pragma once
#include "plan/evaluator.h"

#include <QObject>

namespace seaside::views {
class DesignDocument;
}

namespace seaside::app {

/// Keeps the design's estimate current: a full evaluation when a design is opened, the
/// incremental path (one layer re-estimated, then a linear re-schedule: well under a
/// millisecond for 10,000 layers) after each placement edit.
class EstimateController : public QObject {
    Q_OBJECT
public:
    explicit EstimateController(views::DesignDocument *doc, QObject *parent = nullptr);

    const plan::PlanEstimate &estimate() const { return m_eval.result(); }
    /// The text report with the design's analyses (split sweep, max batch...): on demand, as
    /// the analyses evaluate the design many times over.
    QString reportText() const;

signals:
    void estimateChanged();

private:
    void evaluateAll();
    void evaluateLayers(const std::vector<graph::NodeId> &ids);

    views::DesignDocument *m_doc;
    plan::Evaluator m_eval;
};

} // namespace seaside::app
