#include "gui/theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace switchyard::gui {

Theme Theme::darkTheme() {
    Theme t;
    t.dark = true;
    t.window = QColor(0x1e, 0x21, 0x26);
    t.panel = QColor(0x2a, 0x2e, 0x35);
    t.text = QColor(0xe6, 0xe8, 0xeb);
    t.mutedText = QColor(0x9a, 0xa3, 0xad);
    t.grid = QColor(0x3b, 0x41, 0x4a);
    t.up = QColor(0x3f, 0xb9, 0x50);
    t.suspect = QColor(0xe3, 0xa3, 0x1b);
    t.down = QColor(0xe5, 0x48, 0x4d);
    t.draining = QColor(0x4c, 0x8d, 0xe0);
    t.unknown = QColor(0x80, 0x86, 0x8f);
    t.sticky = QColor(0x5b, 0xa4, 0xf5);
    t.fresh = QColor(0x9b, 0xd1, 0x6b);
    t.failover = QColor(0xf2, 0x8c, 0x38);
    t.published = QColor(0x5b, 0xa4, 0xf5);
    t.delivered = QColor(0x3f, 0xb9, 0x50);
    t.p50 = QColor(0x5b, 0xa4, 0xf5);
    t.p99 = QColor(0xf2, 0x8c, 0x38);
    t.ratio = QColor(0x3f, 0xb9, 0x50);
    t.reconnects = QColor(0xc6, 0x78, 0xdd);
    t.failures = QColor(0xe5, 0x48, 0x4d);
    t.fault = QColor(0xe5, 0x48, 0x4d);
    t.action = QColor(0xe3, 0xa3, 0x1b);
    t.edge = QColor(0x6b, 0x74, 0x80);
    t.dot = QColor(0xff, 0xd8, 0x66);
    return t;
}

Theme Theme::lightTheme() {
    Theme t;
    t.dark = false;
    t.window = QColor(0xf5, 0xf6, 0xf8);
    t.panel = QColor(0xff, 0xff, 0xff);
    t.text = QColor(0x1f, 0x23, 0x28);
    t.mutedText = QColor(0x5f, 0x67, 0x70);
    t.grid = QColor(0xd8, 0xdc, 0xe1);
    t.up = QColor(0x1a, 0x7f, 0x37);
    t.suspect = QColor(0xb0, 0x78, 0x00);
    t.down = QColor(0xcf, 0x22, 0x2e);
    t.draining = QColor(0x21, 0x6e, 0xc9);
    t.unknown = QColor(0x8c, 0x95, 0x9f);
    t.sticky = QColor(0x21, 0x6e, 0xc9);
    t.fresh = QColor(0x4d, 0x9a, 0x2a);
    t.failover = QColor(0xd1, 0x5b, 0x04);
    t.published = QColor(0x21, 0x6e, 0xc9);
    t.delivered = QColor(0x1a, 0x7f, 0x37);
    t.p50 = QColor(0x21, 0x6e, 0xc9);
    t.p99 = QColor(0xd1, 0x5b, 0x04);
    t.ratio = QColor(0x1a, 0x7f, 0x37);
    t.reconnects = QColor(0x82, 0x50, 0xdf);
    t.failures = QColor(0xcf, 0x22, 0x2e);
    t.fault = QColor(0xcf, 0x22, 0x2e);
    t.action = QColor(0xb0, 0x78, 0x00);
    t.edge = QColor(0x9a, 0xa3, 0xad);
    t.dot = QColor(0x00, 0x8c, 0x95);
    return t;
}

QColor Theme::health(const QString& word) const {
    if (word == QLatin1String("up"))
        return up;
    if (word == QLatin1String("suspect"))
        return suspect;
    if (word == QLatin1String("down"))
        return down;
    if (word == QLatin1String("draining") || word == QLatin1String("disabled"))
        return draining;
    return unknown;
}

QColor Theme::seriesColor(int i) const {
    static constexpr int kHues[] = {210, 130, 30, 280, 0, 180, 55, 320};
    const int hue = kHues[static_cast<std::size_t>(i) % std::size(kHues)];
    return QColor::fromHsv(hue, dark ? 150 : 200, dark ? 240 : 190);
}

void Theme::applyTo(QApplication& app) const {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, panel);
    p.setColor(QPalette::AlternateBase, dark ? window.lighter(115) : window.darker(103));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, panel);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, panel);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, mutedText);
    p.setColor(QPalette::Highlight, draining);
    p.setColor(QPalette::HighlightedText, QColor(Qt::white));
    p.setColor(QPalette::Disabled, QPalette::Text, mutedText);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, mutedText);
    p.setColor(QPalette::Disabled, QPalette::WindowText, mutedText);
    app.setPalette(p);
}

}  // namespace switchyard::gui
