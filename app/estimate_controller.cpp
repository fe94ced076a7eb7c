#include "estimate_controller.h"

#include "design_document.h"
#include "plan/estimate_report.h"

#include <QtConcurrent/QtConcurrentRun>

namespace seaside::app {

EstimateController::EstimateController(views::DesignDocument *doc, QObject *parent)
    : QObject(parent), m_doc(doc), m_eval(std::make_shared<plan::Evaluator>()) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(120); // ms: a burst of edits (a drag, a paste) costs one evaluation
    connect(&m_debounce, &QTimer::timeout, this, &EstimateController::startFull);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &EstimateController::landFull);
    connect(doc, &views::DesignDocument::designReset, this, &EstimateController::evaluateNow);
    connect(doc, &views::DesignDocument::layersChanged, this, &EstimateController::evaluateLayers);
    connect(doc, &views::DesignDocument::graphChanged, this, &EstimateController::scheduleFull);
    connect(doc, &views::DesignDocument::platformChanged, this, &EstimateController::scheduleFull);
    evaluateNow();
}

EstimateController::~EstimateController() { m_watcher.waitForFinished(); }

void EstimateController::evaluateNow() {
    m_debounce.stop();
    ++m_generation; // a worker still running for an older design is ignored when it lands
    m_lateLayers.clear();
    m_evaluated.reset();
    m_eval = std::make_shared<plan::Evaluator>();
    m_eval->evaluate(m_doc->design());
    emit estimateChanged();
}

void EstimateController::scheduleFull() {
    ++m_generation;
    m_debounce.start();
}

void EstimateController::startFull() {
    if (m_running) { // one worker at a time: start again when this one lands
        m_debounce.start();
        return;
    }
    m_running = true;
    m_lateLayers.clear();
    auto copy = std::make_shared<const plan::Design>(m_doc->design());
    const unsigned generation = m_generation;
    m_watcher.setFuture(QtConcurrent::run([copy, generation] {
        auto eval = std::make_shared<plan::Evaluator>();
        eval->evaluate(*copy);
        return Result{copy, eval, generation};
    }));
}

void EstimateController::landFull() {
    m_running = false;
    Result r = m_watcher.result();
    if (r.generation != m_generation)
        return; // the graph changed again meanwhile; the debounce timer will run it
    m_eval = r.eval;
    m_evaluated = r.design;
    if (!m_lateLayers.empty()) // placement edits made while it ran
        m_eval->update(m_doc->design(), std::exchange(m_lateLayers, {}));
    emit estimateChanged();
}

void EstimateController::evaluateLayers(const std::vector<graph::NodeId> &ids) {
    if (busy()) {
        m_lateLayers.insert(m_lateLayers.end(), ids.begin(), ids.end());
        return;
    }
    m_eval->update(m_doc->design(), ids);
    emit estimateChanged();
}

QString EstimateController::reportText() const {
    return QString::fromStdString(plan::estimateReportText(m_doc->design(), m_eval->result()));
}

} // namespace seaside::app
