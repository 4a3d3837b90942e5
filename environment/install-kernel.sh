#!/usr/bin/env bash
# Registers the CdmNotebooks C# kernel with Jupyter (kernelspec "cdm-csharp"), pointing at a fresh build of
# environment/kernel/CdmNotebooks.Kernel. Safe to run again: it rebuilds and replaces the kernelspec.
#
# usage: environment/install-kernel.sh [--user | --prefix DIR] [--configuration Release|Debug] [--no-build]
#   --user           install for the current user (default; ~/.local/share/jupyter/kernels/cdm-csharp)
#   --prefix DIR     install under DIR/share/jupyter/kernels/cdm-csharp (a virtualenv, conda env or a private test prefix;
#                    Jupyter finds it when DIR is its sys.prefix or DIR/share/jupyter is on JUPYTER_PATH)
#   --configuration  build configuration of the kernel (default Release)
#   --no-build       register the existing build without running dotnet build
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$ROOT/environment/kernel/CdmNotebooks.Kernel/CdmNotebooks.Kernel.csproj"
KERNEL_NAME="cdm-csharp"
CONFIGURATION="${CDM_CONFIGURATION:-Release}"
PREFIX=""
BUILD=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        --user) PREFIX=""; shift ;;
        --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
        --configuration|-c) CONFIGURATION="${2:?--configuration needs Release or Debug}"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "install-kernel.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# Debian's Jupyter lives in /usr/bin/python3; another python3 earlier on PATH often lacks it.
PYTHON=""
for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
    if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" -c "import jupyter_client" >/dev/null 2>&1; then
        PYTHON="$candidate"
        break
    fi
done
if [[ -z "$PYTHON" ]]; then
    cat >&2 <<'MSG'
install-kernel.sh: Jupyter is not installed (no python3 can import jupyter_client), so there is nothing to register
the kernel with. Install Jupyter first, e.g. on Debian/Ubuntu:
    sudo apt-get install -y jupyter-nbconvert python3-nbclient python3-jupyter-client jupyter-client python3-nbformat python3-ipykernel
(or `pip install jupyterlab` in your Python environment), then run this script again.
MSG
    exit 3
fi

DOTNET="$(command -v dotnet || true)"
if [[ -z "$DOTNET" ]]; then
    echo "install-kernel.sh: the .NET SDK (dotnet) is not on PATH; install .NET 10 and run this script again." >&2
    exit 3
fi
DOTNET="$(readlink -f "$DOTNET")"

if [[ "$BUILD" == 1 ]]; then
    "$DOTNET" build "$PROJECT" -c "$CONFIGURATION" --nologo -v quiet -clp:ErrorsOnly >&2
fi
KERNEL_DLL="$ROOT/environment/kernel/CdmNotebooks.Kernel/bin/$CONFIGURATION/net10.0/cdm-kernel.dll"
if [[ ! -f "$KERNEL_DLL" ]]; then
    echo "install-kernel.sh: $KERNEL_DLL does not exist; run without --no-build to build it." >&2
    exit 3
fi

SPEC_DIR="$(mktemp -d)"
trap 'rm -rf "$SPEC_DIR"' EXIT
"$PYTHON" - "$SPEC_DIR" "$DOTNET" "$KERNEL_DLL" "$KERNEL_NAME" "$PREFIX" <<'PY'
import json, os, sys
from jupyter_client.kernelspec import KernelSpecManager

spec_dir, dotnet, kernel_dll, name, prefix = sys.argv[1:6]
spec = {
    "argv": [dotnet, kernel_dll, "{connection_file}"],
    "display_name": "C# (CdmNotebooks)",
    "language": "csharp",
    # Interrupts arrive as interrupt_request on the control channel; the kernel cancels the cell's token.
    "interrupt_mode": "message",
    "env": {"DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1"},
    "metadata": {"cdm_kernel_dll": kernel_dll},
}
with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
    json.dump(spec, f, indent=2)
manager = KernelSpecManager()
if prefix:
    path = manager.install_kernel_spec(spec_dir, kernel_name=name, prefix=os.path.abspath(prefix))
else:
    path = manager.install_kernel_spec(spec_dir, kernel_name=name, user=True)
print(f"Registered Jupyter kernel '{name}' (C# (CdmNotebooks)) at {path} -> {kernel_dll}")
PY
