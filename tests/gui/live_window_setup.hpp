#pragma once

// The steps every live GUI test starts with: put the scenario text in a file and open it in a
// shown, laptop-sized main window, so each test reads as what it runs and what it checks.

#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include "gui/main_window.hpp"

namespace switchyard::gui::testing {

/// Writes `text` to `name` inside `dir`; returns the path, or an empty string if it failed.
inline QString write_scenario_file(const QTemporaryDir& dir, const char* name, const char* text) {
    const QString path = dir.filePath(QString::fromLatin1(name));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) < 0) {
        return {};
    }
    return path;
}

/// Shows `w` at 1366x800 and opens the scenario at `path`; false with `*err` set on failure.
inline bool show_and_open(MainWindow& w, const QString& path, QString* err) {
    w.resize(1366, 800);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) {
        *err = QStringLiteral("the main window was never exposed");
        return false;
    }
    return w.openScenario(path, err);
}

}  // namespace switchyard::gui::testing
