#!/usr/bin/env bash
# Executes notebooks headless under the real Jupyter client (nbconvert --execute) with the CdmNotebooks C# kernel,
# writes the executed copies (and an HTML rendering) outside the committed notebooks, and validates them with nbformat.
#
# usage: environment/run-notebook.sh [NOTEBOOK.ipynb ...]        (default: every notebooks/*.ipynb)
# environment:
#   CDM_PROFILE=smoke|standard   profile the notebooks read (default smoke); the committed files are never edited
#   CDM_NOTEBOOK_OUT=DIR         where executed copies go (default runs/notebooks/<profile>)
#   CDM_CONFIGURATION=Release    kernel build configuration (default Release)
#   CDM_CELL_TIMEOUT=SECONDS     per-cell time limit (default 1800 for smoke, 7200 for standard)
#   CDM_SKIP_BUILD=1             use the existing kernel build (e.g. from the tests, which build the solution first)
# The kernel is registered in a private prefix inside the output folder, so the run uses this checkout's fresh kernel
# build whatever the user installed with environment/install-kernel.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILE="${CDM_PROFILE:-smoke}"
case "$PROFILE" in
    smoke|standard) ;;
    *) echo "run-notebook.sh: CDM_PROFILE must be smoke or standard, got '$PROFILE'." >&2; exit 2 ;;
esac
export CDM_PROFILE="$PROFILE"
OUT="$(mkdir -p "${CDM_NOTEBOOK_OUT:-$ROOT/runs/notebooks/$PROFILE}" && cd "${CDM_NOTEBOOK_OUT:-$ROOT/runs/notebooks/$PROFILE}" && pwd)"
# Notebooks write their results (figures, grids) under $CDM_NOTEBOOK_OUT/<notebook name>/.
export CDM_NOTEBOOK_OUT="$OUT"
if [[ "$PROFILE" == smoke ]]; then TIMEOUT="${CDM_CELL_TIMEOUT:-1800}"; else TIMEOUT="${CDM_CELL_TIMEOUT:-7200}"; fi

PYTHON=/usr/bin/python3
if ! "$PYTHON" -c "import nbconvert, nbformat, nbclient, jupyter_client" >/dev/null 2>&1; then
    echo "run-notebook.sh: $PYTHON lacks the Jupyter stack (nbconvert, nbformat, nbclient, jupyter_client);" \
         "install it with: apt-get install -y jupyter-nbconvert python3-nbclient python3-jupyter-client jupyter-client python3-nbformat python3-ipykernel" >&2
    exit 3
fi

if [[ $# -eq 0 ]]; then
    mapfile -t NOTEBOOKS < <(find "$ROOT/notebooks" -maxdepth 1 -name '*.ipynb' | sort)
else
    NOTEBOOKS=("$@")
fi
if [[ ${#NOTEBOOKS[@]} -eq 0 ]]; then
    echo "run-notebook.sh: no notebooks to run." >&2
    exit 2
fi

KERNEL_PREFIX="$OUT/.kernel"
install_args=(--prefix "$KERNEL_PREFIX" --configuration "${CDM_CONFIGURATION:-Release}")
[[ "${CDM_SKIP_BUILD:-0}" == 1 ]] && install_args+=(--no-build)
bash "$ROOT/environment/install-kernel.sh" "${install_args[@]}" >&2
export JUPYTER_PATH="$KERNEL_PREFIX/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

status=0
for notebook in "${NOTEBOOKS[@]}"; do
    notebook="$(cd "$(dirname "$notebook")" && pwd)/$(basename "$notebook")"
    name="$(basename "$notebook" .ipynb)"
    echo "== $name (profile $PROFILE) -> $OUT/$name.ipynb"
    began=$(date +%s)
    # nbconvert runs the kernel in the notebook's own folder, as Jupyter does interactively.
    # stderr is also kept in a file so the FAILED line can name the cell's exception (the full traceback runs to hundreds of lines).
    errors="$OUT/$name.stderr"
    if ! { "$PYTHON" -m jupyter nbconvert --to notebook --execute "$notebook" \
            --ExecutePreprocessor.kernel_name=cdm-csharp --ExecutePreprocessor.timeout="$TIMEOUT" \
            --output-dir "$OUT" --output "$name.ipynb" --log-level=WARN 2>&1 1>&3 | tee "$errors" >&2; } 3>&1; then
        reason="$(grep -m1 -E '^[A-Z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+: ' "$errors" || true)"
        echo "FAILED $name: a cell raised or timed out: ${reason:-no .NET exception in its output (a time-out?)} (the executed copy, if any, is in $OUT)" >&2
        status=1
        continue
    fi
    "$PYTHON" -m jupyter nbconvert --to html "$OUT/$name.ipynb" --output-dir "$OUT" --log-level=WARN
    # Validate the executed copy: schema-valid, every code cell ran, no error outputs.
    if ! "$PYTHON" - "$OUT/$name.ipynb" "$(( $(date +%s) - began ))" <<'PY'; then
import collections, sys
import nbformat
path, seconds = sys.argv[1], sys.argv[2]
notebook = nbformat.read(path, as_version=4)
nbformat.validate(notebook)
code = [c for c in notebook.cells if c.cell_type == "code"]
unexecuted = [i for i, c in enumerate(code) if c.source.strip() and c.execution_count is None]
errors = [o for c in code for o in c.outputs if o.output_type == "error"]
kinds = collections.Counter(mime for c in code for o in c.outputs for mime in o.get("data", {}))
if unexecuted or errors:
    sys.exit(f"{path}: {len(unexecuted)} code cells not executed, {len(errors)} error outputs")
print(f"valid {path}: {len(code)} code cells executed in {seconds} s; outputs by type: {dict(sorted(kinds.items()))}")
PY
        echo "FAILED $name: the executed copy did not validate" >&2
        status=1
    fi
done
exit $status
