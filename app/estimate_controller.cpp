#include "estimate_controller.h"

#include "design_document.h"
#include "plan/estimate_report.h"

namespace seaside::app {

EstimateController::EstimateController(views::DesignDocument *doc, QObject *parent) : QObject(parent), m_doc(doc) {
    connect(doc, &views::DesignDocument::designReset, this, &EstimateController::evaluateAll);
    connect(doc, &views::DesignDocument::layersChanged, this, &EstimateController::evaluateLayers);
    connect(doc, &views::DesignDocument::graphChanged, this, &EstimateController::evaluateAll);
    connect(doc, &views::DesignDocument::platformChanged, this, &EstimateController::evaluateAll);
    evaluateAll();
}

void EstimateController::evaluateAll() {
    m_eval.evaluate(m_doc->design());
    emit estimateChanged();
}

void EstimateController::evaluateLayers(const std::vector<graph::NodeId> &ids) {
    m_eval.update(m_doc->design(), ids);
    emit estimateChanged();
}

QString EstimateController::reportText() const {
    return QString::fromStdString(plan::estimateReportText(m_doc->design(), m_eval.result()));
}

} // namespace seaside::app
