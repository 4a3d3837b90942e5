#!/usr/bin/env bash
# The main job: set-up (idempotent), dataset verification, split verification, then the reproductions for a profile.
#   bash environment/main.sh                 # CDM_PROFILE=smoke by default; CDM_PROFILE=standard for the full reproduction
# Outputs: executed notebooks (+ HTML) in runs/notebooks/PROFILE/, experiment results in results/EXPERIMENT/PROFILE/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
echo; echo "== cdm data check"
"$here/cdm" data check
echo; echo "== cdm split --verify"
"$here/cdm" split --verify
echo; echo "== notebooks (profile ${CDM_PROFILE:-smoke}), executed headless under Jupyter into runs/notebooks/"
CDM_SKIP_BUILD=1 bash "$here/run-notebook.sh"
