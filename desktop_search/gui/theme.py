"""Light and dark palettes (Fusion style) and the colours derived from them."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
THEME_ENV = "DESKTOP_SEARCH_THEME"


def choose_theme(saved: str | None) -> str:
    """$DESKTOP_SEARCH_THEME wins (screenshots, tests), then the saved choice, then 'system'."""
    for candidate in (os.environ.get(THEME_ENV, ""), saved or ""):
        if candidate in THEMES:
            return candidate
    return "system"


def apply_theme(app: QApplication, theme: str) -> str:
    """Apply a theme; returns 'light' or 'dark', what was actually used."""
    app.setStyle("Fusion")
    if theme == "system":
        scheme = QGuiApplication.styleHints().colorScheme()
        theme = "dark" if scheme == Qt.ColorScheme.Dark else "light"
    app.setPalette(dark_palette() if theme == "dark" else light_palette())
    return theme


def light_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#f3f3f3",
        QPalette.ColorRole.WindowText: "#1d1d1f",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f7f9",
        QPalette.ColorRole.Text: "#1d1d1f",
        QPalette.ColorRole.Button: "#ececec",
        QPalette.ColorRole.ButtonText: "#1d1d1f",
        QPalette.ColorRole.Highlight: "#2f6fd0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffe1",
        QPalette.ColorRole.ToolTipText: "#1d1d1f",
        QPalette.ColorRole.PlaceholderText: "#7a7a7a",
        QPalette.ColorRole.Link: "#1f5fbf",
        QPalette.ColorRole.Mid: "#a0a0a0",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e3e3e3",
        QPalette.ColorRole.Dark: "#8a8a8a",
        QPalette.ColorRole.Shadow: "#5a5a5a",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    _disabled(p, "#9a9a9a")
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#26282b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1c1d1f",
        QPalette.ColorRole.AlternateBase: "#232427",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#33363a",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2d64b8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#33363a",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8d8d8d",
        QPalette.ColorRole.Link: "#7fb0ff",
        QPalette.ColorRole.Mid: "#55585d",
        QPalette.ColorRole.Light: "#4a4d52",
        QPalette.ColorRole.Midlight: "#3c3f43",
        QPalette.ColorRole.Dark: "#18191b",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    _disabled(p, "#6f6f6f")
    return p


def _disabled(p: QPalette, color: str) -> None:
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


# WCAG's contrast for normal text: quieter text (paths, counts) never falls below it.
MIN_CONTRAST = 4.5


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def secondary_text(palette: QPalette) -> QColor:
    """A quieter text colour (e.g. a folder's path under its name) that still reads easily
    on the palette's base: the text colour blended toward the base only as far as contrast
    allows."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    for share in (0.62, 0.7, 0.78, 0.86, 0.94, 1.0):
        blended = QColor.fromRgbF(
            base.redF() + (text.redF() - base.redF()) * share,
            base.greenF() + (text.greenF() - base.greenF()) * share,
            base.blueF() + (text.blueF() - base.blueF()) * share,
        )
        if contrast(blended, base) >= MIN_CONTRAST:
            return blended
    return text


def mark_colors(dark: bool) -> tuple[QColor, QColor]:
    """Background and text colour of a matched term; both readable on either palette."""
    if dark:
        return QColor("#8a6d00"), QColor("#ffffff")
    return QColor("#ffe066"), QColor("#1d1d1f")


def passage_overlay(dark: bool) -> QColor:
    """Fill of the highlighted passage on a rendered page (pages are white in both themes)."""
    color = QColor("#ffcc00")
    color.setAlpha(110)
    return color
