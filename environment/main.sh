#!/usr/bin/env bash
# The main job: set-up (idempotent), dataset verification, split verification, then the reproductions for a profile.
#   bash environment/main.sh                 # CDM_PROFILE=smoke by default; CDM_PROFILE=standard for the full reproduction
# Outputs: executed notebooks (+ HTML) in runs/notebooks/PROFILE/, experiment results in results/EXPERIMENT/PROFILE/.
set -euo pipefail
# TorchSharp hands a number to native code as a finalizable Scalar and keeps no reference during the call, so a garbage
# collection on another thread can free it mid-call (README, Known problems). A 256 MiB gen-0 budget makes collections, and
# so that race, much rarer; it is a mitigation, not the fix.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
echo; echo "== cdm data check"
"$here/cdm" data check
echo; echo "== cdm split --verify"
"$here/cdm" split --verify
echo; echo "== notebooks (profile ${CDM_PROFILE:-smoke}), executed headless under Jupyter into runs/notebooks/"
CDM_SKIP_BUILD=1 bash "$here/run-notebook.sh"
