// The CLI end to end, as a user runs it: the real binary on every file in projects/.
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {
struct Run {
    int code;
    QString out, err;
};

Run seaside(const QStringList &args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.remove("QT_QPA_PLATFORM");
    p.setProcessEnvironment(env);
    p.start(SEASIDE_BIN, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QJsonObject infoJson(const QString &file) {
    const Run r = seaside({"info", file, "--json"});
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void versionAndHelp() {
        const Run v = seaside({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith("seaside "));
        const Run h = seaside({"--help"});
        QCOMPARE(h.code, 0);
        for (const char *cmd : {"import", "info", "export-json"})
            QVERIFY(h.out.contains(cmd));
        const Run bad = seaside({"--frobnicate"});
        QVERIFY(bad.code != 0);
        QVERIFY(bad.err.contains("--frobnicate"));
    }

    void everySampleThroughEveryCommand() {
        const QDir projects(SEASIDE_PROJECTS_DIR);
        const QStringList samples = projects.entryList({"*.json"});
        QVERIFY(samples.size() >= 7);
        for (const QString &name : samples) {
            const QString json = projects.filePath(name);
            const Run text = seaside({"info", json});
            QVERIFY2(text.code == 0, qPrintable(name + ": " + text.err));
            QVERIFY(text.out.contains("params"));
            const QJsonObject info = infoJson(json);
            QVERIFY2(info.contains("nodes") && info.contains("params") && info.contains("macs"), qPrintable(name));
            QVERIFY(info["params"].toDouble() > 0);

            const QString project = m_dir.filePath(name + ".seaside");
            const Run imp = seaside({"import", json, "-o", project});
            QVERIFY2(imp.code == 0, qPrintable(name + ": " + imp.err));
            QCOMPARE(infoJson(project), info);

            const QString exported = m_dir.filePath(name + ".export.json");
            const Run ex = seaside({"export-json", project, "-o", exported});
            QVERIFY2(ex.code == 0, qPrintable(ex.err));
            QCOMPARE(infoJson(exported), info);

            // without a display, opening the studio prints the summary and exits 0
            const Run studio = seaside({project});
            QCOMPARE(studio.code, 0);
            QVERIFY(studio.out.contains("params"));
        }
    }

    void importOnnxWithInputShape() {
        const QString model = QString(SEASIDE_ONNX_TESTDATA) + "/pytorch-converted/test_Conv2d/model.onnx";
        if (!QFile::exists(model))
            QSKIP("libonnx-testdata is not installed (build.sh installs it)");
        const QString out = m_dir.filePath("conv.seaside");
        const Run r = seaside({"import", model, "-o", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject info = infoJson(out);
        QVERIFY(info.contains("onnx"));
        QVERIFY(info["onnx"].toObject()["ir_version"].toInt() > 0);
        QVERIFY(!info["onnx"].toObject()["opsets"].toString().isEmpty());
        const Run bad = seaside({"import", model, "--input", "nosuch=1,2", "-o", out});
        QVERIFY(bad.code != 0);
        QVERIFY(bad.err.contains("nosuch"));
    }

    void errorsNameTheFile() {
        const QString missing = m_dir.filePath("missing.seaside");
        const Run a = seaside({"info", missing});
        QVERIFY(a.code != 0);
        QVERIFY(a.err.contains(missing));

        const QString junk = m_dir.filePath("junk.seaside");
        QFile f(junk);
        f.open(QIODevice::WriteOnly);
        f.write(QByteArray(5000, 'x'));
        f.close();
        const Run b = seaside({"info", junk});
        QVERIFY(b.code != 0);
        QVERIFY(b.err.contains(junk));
        QVERIFY(b.err.contains("not a Seaside project"));

        const QString badJson = m_dir.filePath("bad.json");
        QFile j(badJson);
        j.open(QIODevice::WriteOnly);
        j.write("{ \"format\": \"seaside-design\", \"graph\": ");
        j.close();
        const Run c = seaside({"import", badJson, "-o", m_dir.filePath("x.seaside")});
        QVERIFY(c.code != 0);
        QVERIFY(c.err.contains("bad.json"));
        QVERIFY(!QFile::exists(m_dir.filePath("x.seaside")));

        const Run d = seaside({"import"});
        QVERIFY(d.code != 0);
        QVERIFY(d.err.contains("usage"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
