#pragma once
#include "plan/evaluator.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>
#include <memory>

namespace seaside::views {
class DesignDocument;
}

namespace seaside::app {

/// Keeps the design's estimate current without blocking input:
///  - opening a design: a full evaluation at once (there is no edit to keep up with);
///  - a placement or layer-config edit: the incremental path on this thread (one layer
///    re-estimated, then a linear re-schedule: well under a millisecond for 10,000 layers);
///  - a graph or platform edit: a full evaluation, debounced, on a worker thread over a copy
///    of the design; edits made meanwhile are applied incrementally when it lands.
class EstimateController : public QObject {
    Q_OBJECT
public:
    explicit EstimateController(views::DesignDocument *doc, QObject *parent = nullptr);
    ~EstimateController() override;

    const plan::PlanEstimate &estimate() const { return m_eval->result(); }
    /// True while a full evaluation is waiting or running.
    bool busy() const { return m_debounce.isActive() || m_running; }
    /// The text report with the design's analyses (split sweep, max batch...): on demand, as
    /// the analyses evaluate the design many times over.
    QString reportText() const;

signals:
    void estimateChanged();

private:
    struct Result {
        std::shared_ptr<const plan::Design> design; // the copy the evaluator's state points into
        std::shared_ptr<plan::Evaluator> eval;
        unsigned generation = 0;
    };
    void evaluateNow();
    void scheduleFull();
    void startFull();
    void landFull();
    void evaluateLayers(const std::vector<graph::NodeId> &ids);

    views::DesignDocument *m_doc;
    std::shared_ptr<plan::Evaluator> m_eval;
    std::shared_ptr<const plan::Design> m_evaluated; // kept alive while m_eval refers to it
    QTimer m_debounce;
    QFutureWatcher<Result> m_watcher;
    bool m_running = false;
    unsigned m_generation = 0;               // bumped by every graph or platform edit
    std::vector<graph::NodeId> m_lateLayers; // placement edits made while a full evaluation ran
};

} // namespace seaside::app
