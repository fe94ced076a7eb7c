#include "graph/import/isolated_shape_inference.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace seaside::graph {

namespace {

// What the child reports: 'G' and a GraphProto holding the inferred value_info and outputs, or
// 'E' and the exception's message.
std::string inferAndReport(onnx::ModelProto &model) {
    try {
        onnx::ShapeInferenceOptions options(false, 0, true);
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &e) {
        return std::string("E") + e.what();
    }
    onnx::GraphProto inferred;
    *inferred.mutable_value_info() = model.graph().value_info();
    *inferred.mutable_output() = model.graph().output();
    std::string report = "G"; // not "G" + std::string&&, which trips GCC 12's -Wrestrict (bug 105329)
    report += inferred.SerializeAsString();
    return report;
}

Status applyReport(onnx::ModelProto &model, const std::string &report) {
    if (report.empty())
        return makeError("ONNX shape inference ended without a result");
    if (report[0] == 'E')
        return makeError("ONNX shape inference failed: " + report.substr(1));
    onnx::GraphProto inferred;
    if (report[0] != 'G' || !inferred.ParseFromString(report.substr(1)))
        return makeError("ONNX shape inference sent back an unreadable result");
    *model.mutable_graph()->mutable_value_info() = inferred.value_info();
    *model.mutable_graph()->mutable_output() = inferred.output();
    return {};
}

bool writeAll(int fd, const std::string &bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += std::size_t(n);
    }
    return true;
}

} // namespace

Status inferShapesIsolated(onnx::ModelProto &model, int timeoutSeconds) {
    onnx::OpSchemaRegistry::Instance(); // built here, so the child inherits it instead of building it
    int fds[2];
    if (pipe(fds) != 0)
        return applyReport(model, inferAndReport(model));
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return applyReport(model, inferAndReport(model));
    }
    if (pid == 0) { // the child: infer, report, and leave without running the parent's atexit work
        close(fds[0]);
        _exit(writeAll(fds[1], inferAndReport(model)) ? 0 : 1);
    }
    close(fds[1]);
    std::string report;
    char buffer[1 << 16];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    bool timedOut = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fds[0], POLLIN, 0};
        const int ready = left.count() > 0 ? poll(&p, 1, int(left.count())) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            timedOut = true;
            break;
        }
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // the child closed its end: done, or dead
        report.append(buffer, std::size_t(n));
    }
    close(fds[0]);
    if (timedOut)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timedOut)
        return makeError("ONNX shape inference did not finish in " + std::to_string(timeoutSeconds) + " s");
    if (WIFSIGNALED(status))
        return makeError(std::string("ONNX shape inference crashed on this model (") + strsignal(WTERMSIG(status)) +
                         "): the model is malformed in a way ONNX's checks miss");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return makeError("ONNX shape inference failed to report its result");
    return applyReport(model, report);
}

} // namespace seaside::graph
