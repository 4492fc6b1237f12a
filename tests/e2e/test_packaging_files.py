"""Desktop integration files: the .desktop entry, the icons and the launcher install script.

Fast checks only; building the packaged app is `packaging/build.sh` (slow, not run here).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP_FILE = RESOURCES / "desktop-search.desktop"
SVG = RESOURCES / "icons" / "desktop-search.svg"
INSTALL_SCRIPT = ROOT / "packaging" / "install-desktop-entry.sh"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("bash") is None,
    reason="desktop integration is for Linux (freedesktop.org) with bash",
)


def read_desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def png_size(path: Path) -> tuple[int, int, int]:
    """(width, height, colour type) from the PNG header."""
    data = path.read_bytes()[:33]
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no IHDR chunk first"
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def run_validator(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30
    )


# ------------------------------------------------------------------ the .desktop entry


def test_desktop_entry_validates() -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    result = run_validator(DESKTOP_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    # Hints and warnings count too: a clean file prints nothing.
    assert result.stdout.strip() == "", result.stdout


def test_desktop_entry_starts_the_declared_gui_command() -> None:
    entry = read_desktop_entry(DESKTOP_FILE)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    gui_scripts = pyproject["project"]["gui-scripts"]
    console_scripts = pyproject["project"]["scripts"]

    # The packaged binary must run the same function as the `desktop-search` command.
    module, function = console_scripts["desktop-search"].split(":")
    launcher = (ROOT / "packaging" / "desktop_search_launcher.py").read_text(encoding="utf-8")
    assert f"from {module} import {function}" in launcher
    assert entry["Exec"].split()[0] in gui_scripts
    assert entry["TryExec"] in gui_scripts
    assert entry["Type"] == "Application"
    assert entry["Icon"] == "desktop-search" == SVG.stem
    assert entry["Terminal"] == "false"
    assert "Utility" in entry["Categories"].split(";")
    assert entry["Name"] and entry["Comment"] and entry["Keywords"]


def test_desktop_entry_matches_the_window_class() -> None:
    """On X11, launchers tie a window to its entry by WM_CLASS, which Qt takes from the
    application name; the entry's StartupWMClass must follow it."""
    source = (ROOT / "desktop_search" / "gui" / "app.py").read_text(encoding="utf-8")
    found = re.search(r"setApplicationName\(\s*[\"']([^\"']+)[\"']", source)
    if found is None:
        pytest.skip("the GUI sets no literal application name")
    assert read_desktop_entry(DESKTOP_FILE)["StartupWMClass"] == found.group(1)


# ------------------------------------------------------------------ icons


def test_svg_icon_is_square_svg() -> None:
    root = ET.parse(SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _x, _y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height > 0
    # An icon theme can't resolve external files: everything must be inline.
    assert 'xlink:href="http' not in SVG.read_text(encoding="utf-8")


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_exists_at_size(size: int) -> None:
    path = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "desktop-search.png"
    assert path.is_file(), f"missing {path.relative_to(ROOT)}: run packaging/render_icons.py"
    width, height, colour_type = png_size(path)
    assert (width, height) == (size, size)
    assert colour_type == 6, "icons need an alpha channel (RGBA)"


# ------------------------------------------------------------------ install script


def fake_program(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    program = directory / name
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return program


def run_install(tmp_path: Path, *args: str, path_env: str | None = None):
    env = dict(os.environ)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["HOME"] = str(tmp_path / "home")
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run(
        ["bash", str(INSTALL_SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def installed_files(data_home: Path) -> list[Path]:
    if not data_home.exists():
        return []
    return sorted(p for p in data_home.rglob("desktop-search*") if p.is_file())


@linux_only
def test_install_script_installs_idempotently_and_uninstalls(tmp_path: Path) -> None:
    # A folder name with a space: the Exec line must quote it.
    bin_dir = tmp_path / "my apps" / "bin"
    program = fake_program(bin_dir, "desktop-search-gui")
    path_env = f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    data_home = tmp_path / "data"

    first = run_install(tmp_path, path_env=path_env)
    assert first.returncode == 0, first.stderr
    desktop = data_home / "applications" / "desktop-search.desktop"
    entry = read_desktop_entry(desktop)
    assert entry["Exec"] == f'"{program}"'
    assert entry["TryExec"] == str(program)
    assert entry["Icon"] == "desktop-search"
    if shutil.which("desktop-file-validate"):
        assert run_validator(desktop).returncode == 0
    for size in ICON_SIZES:
        icon = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "desktop-search.png"
        source = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "desktop-search.png"
        assert icon.read_bytes() == source.read_bytes()
    svg = data_home / "icons" / "hicolor" / "scalable" / "apps" / "desktop-search.svg"
    assert svg.read_bytes() == SVG.read_bytes()
    after_first = {p: p.read_bytes() for p in installed_files(data_home)}
    assert len(after_first) == len(ICON_SIZES) + 2

    second = run_install(tmp_path, path_env=path_env)
    assert second.returncode == 0, second.stderr
    assert {p: p.read_bytes() for p in installed_files(data_home)} == after_first

    removed = run_install(tmp_path, "--uninstall", path_env=path_env)
    assert removed.returncode == 0, removed.stderr
    assert installed_files(data_home) == []
    again = run_install(tmp_path, "--uninstall", path_env=path_env)
    assert again.returncode == 0, again.stderr


@linux_only
def test_install_script_uses_a_packaged_binary_given_as_argument(tmp_path: Path) -> None:
    binary = fake_program(tmp_path / "opt" / "desktop-search", "desktop-search")
    result = run_install(tmp_path, str(binary), path_env=f"/usr/bin{os.pathsep}/bin")
    assert result.returncode == 0, result.stderr
    entry = read_desktop_entry(tmp_path / "data" / "applications" / "desktop-search.desktop")
    assert entry["Exec"] == str(binary)
    assert entry["TryExec"] == str(binary)


@linux_only
def test_install_script_explains_a_missing_program(tmp_path: Path) -> None:
    result = run_install(tmp_path, path_env=f"/usr/bin{os.pathsep}/bin")
    assert result.returncode != 0
    assert "desktop-search-gui" in result.stderr and "not on PATH" in result.stderr
    assert installed_files(tmp_path / "data") == []

    not_a_program = tmp_path / "notes.txt"
    not_a_program.write_text("hello", encoding="utf-8")
    result = run_install(tmp_path, str(not_a_program), path_env=f"/usr/bin{os.pathsep}/bin")
    assert result.returncode != 0
    assert "not an executable" in result.stderr


def test_the_wheel_ships_the_icons_where_the_app_looks_for_them(tmp_path: Path) -> None:
    """A pip/pipx install has no source tree beside it: the icons must be inside the package."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("desktop_search", "resources"):
        shutil.copytree(
            ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path / "wheel"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("desktop_search-*.whl")
    installed = tmp_path / "site"
    shutil.unpack_archive(wheel, installed, format="zip")
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "desktop_search").rglob("*.py")}
    assert modules <= {p.relative_to(installed).as_posix() for p in installed.rglob("*.py")}
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from desktop_search.gui.app import icon_paths\nfor p in icon_paths(): print(p)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(installed)},
        cwd=tmp_path,
    )
    assert found.returncode == 0, found.stderr
    paths = [Path(line) for line in found.stdout.split()]
    assert {p.parent.parent.name for p in paths if p.suffix == ".png"} >= {
        f"{size}x{size}" for size in ICON_SIZES
    }
    assert all(installed in p.parents for p in paths), paths
    assert (installed / "desktop_search" / "resources" / "desktop-search.desktop").is_file()
