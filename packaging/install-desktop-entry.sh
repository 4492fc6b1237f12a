#!/usr/bin/env bash
# Put desktop-search in the Linux application launcher (per user, no root), or take it out again.
#
#   install-desktop-entry.sh                 use `desktop-search-gui` found on PATH (pip / pipx)
#   install-desktop-entry.sh /path/to/exe    use that program (e.g. the packaged dist/desktop-search/desktop-search)
#   install-desktop-entry.sh --uninstall     remove the launcher entry and the icons
#
# Files go to ${XDG_DATA_HOME:-~/.local/share}/applications and .../icons/hicolor/<size>/apps.
# Running it twice is harmless; the second run replaces the first. The index itself is never touched.
set -euo pipefail

APP_ID="desktop-search"
ICON_SIZES="16 24 32 48 64 128 256 512"

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    echo "install-desktop-entry: $*" >&2
    exit 1
}

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
apps_dir="$data_home/applications"
icons_dir="$data_home/icons/hicolor"

mode="install"
target=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        -u|--uninstall) mode="uninstall" ;;
        -*) die "unknown option '$1' (try --help)" ;;
        *)
            [ -z "$target" ] || die "give at most one program path"
            target="$1" ;;
    esac
    shift
done

refresh_caches() {
    # Launchers read these caches; both tools are optional, and a failure here is not fatal.
    if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps_dir" ]; then
        update-desktop-database -q "$apps_dir" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icons_dir" ]; then
        gtk-update-icon-cache -q -f -t "$icons_dir" || true
    fi
}

if [ "$mode" = "uninstall" ]; then
    rm -f "$apps_dir/$APP_ID.desktop"
    for size in $ICON_SIZES; do
        rm -f "$icons_dir/${size}x${size}/apps/$APP_ID.png"
    done
    rm -f "$icons_dir/scalable/apps/$APP_ID.svg"
    refresh_caches
    echo "Removed the $APP_ID launcher entry and icons from $data_home."
    echo "Your index is untouched; see the README for where it lives and how to delete it."
    exit 0
fi

# Where the icons and the .desktop template are: a source checkout (packaging/../resources),
# or the packaged folder (this script sits next to the binary; data under _internal/).
resources=""
for candidate in "$script_dir/../resources" "$script_dir/resources" "$script_dir/_internal/resources"; do
    if [ -f "$candidate/$APP_ID.desktop" ] && [ -d "$candidate/icons/hicolor" ]; then
        resources="$(cd "$candidate" && pwd)"
        break
    fi
done
[ -n "$resources" ] || die "can't find the resources folder (the .desktop file and icons) near $script_dir"

if [ -z "$target" ]; then
    if [ -x "$script_dir/$APP_ID" ] && [ -f "$script_dir/_internal/resources/$APP_ID.desktop" ]; then
        target="$script_dir/$APP_ID"  # run from inside the packaged folder
    elif command -v "$APP_ID-gui" >/dev/null 2>&1; then
        target="$(command -v "$APP_ID-gui")"
    else
        die "'$APP_ID-gui' is not on PATH. Install the app first (pipx install ...), or pass the
program to start, e.g. $0 /opt/desktop-search/desktop-search"
    fi
fi
[ -f "$target" ] && [ -x "$target" ] || die "'$target' is not an executable file"
# Launchers do not share the shell's PATH (pipx puts programs in ~/.local/bin), so store an absolute path.
target="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
case "$target" in
    *[\"\`\$\\]*) die "the program path '$target' contains a quote, \$, \` or \\; move it somewhere plainer" ;;
esac
exec_value="${target//%/%%}"  # a literal % is written %% in Exec
case "$target" in
    *[[:space:]\'\>\<\~\|\&\;\*\?\#\(\)]*) exec_value="\"$exec_value\"" ;;  # Desktop Entry spec quoting
esac

mkdir -p "$apps_dir"
tmp_dir="$(mktemp -d)"
trap 'rm -rf "$tmp_dir"' EXIT
tmp="$tmp_dir/$APP_ID.desktop"
# Exec and TryExec point at the real program; everything else is copied as written.
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        Exec=*) printf 'Exec=%s\n' "$exec_value" ;;
        TryExec=*) printf 'TryExec=%s\n' "$target" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$resources/$APP_ID.desktop" > "$tmp"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$tmp" || die "the generated launcher entry does not validate"
fi
install -m 644 "$tmp" "$apps_dir/$APP_ID.desktop"

for size in $ICON_SIZES; do
    src="$resources/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    [ -f "$src" ] || die "missing icon $src (run packaging/render_icons.py)"
    install -D -m 644 "$src" "$icons_dir/${size}x${size}/apps/$APP_ID.png"
done
install -D -m 644 "$resources/icons/$APP_ID.svg" "$icons_dir/scalable/apps/$APP_ID.svg"
refresh_caches

echo "Installed the launcher entry $apps_dir/$APP_ID.desktop"
echo "  it starts: $target"
echo "Look for 'Desktop Search' in your applications menu (some desktops need a log out and in)."
