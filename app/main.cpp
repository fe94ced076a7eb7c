// Seaside: the command line when given a command, else the studio. With no display, the
// studio path prints the design's summary instead, so the first README command works headless.
#include "cli.h"
#include "main_window.h"
#include "plan/design_summary.h"
#include "store/load_design.h"

#include <QApplication>
#include <cstdlib>
#include <iostream>

namespace {
bool haveDisplay() {
    auto set = [](const char *v) { return std::getenv(v) && *std::getenv(v); };
    return set("DISPLAY") || set("WAYLAND_DISPLAY") || set("QT_QPA_PLATFORM");
}
} // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv, argv + argc);
    if (seaside::cli::isCliInvocation(args))
        return seaside::cli::runCli(args, std::cout, std::cerr);
    const std::string file = args.size() > 1 ? args[1] : std::string();
    if (!haveDisplay()) {
        std::cout << "seaside: no display; printing the design's summary instead of opening the studio\n";
        if (file.empty())
            return 0;
        auto d = seaside::store::loadDesign(file);
        if (!d) {
            std::cerr << "seaside: " << d.error().message << '\n';
            return 1;
        }
        std::cout << seaside::plan::designSummaryText(*d);
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Seaside");
    QApplication::setApplicationName("Seaside");
    QApplication::setApplicationVersion(SEASIDE_VERSION);
    seaside::app::MainWindow w;
    if (!file.empty())
        w.openFile(QString::fromStdString(file));
    w.show();
    w.offerRecovery();
    return app.exec();
}
