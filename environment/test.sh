#!/usr/bin/env bash
# The test command: set-up (idempotent), then the tests of the solution, ending with one 'N passed, N failed' line.
#   bash environment/test.sh                # unit and integration tests, the workbench notebook, and every experiment notebook
#                                           # (01-07) headless in the smoke profile; each fails in its verdict cell when one of its
#                                           # sanity checks fails (40-62 min on a fresh clone on 2 cores, by machine, measured 2026-12-07; what CI runs)
#   bash environment/test.sh --quick        # without the experiment notebooks and the experiments' mutation runs
#   bash environment/test.sh --experiments  # also the in-process smoke runs of every experiment (structure of each result table)
set -euo pipefail
# TorchSharp hands a number to native code as a finalizable Scalar and keeps no reference during the call, so a garbage
# collection on another thread can free it mid-call (README, Known problems). A 256 MiB gen-0 budget makes collections, and
# so that race, much rarer; it is a mitigation, not the fix.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}"
filter="Category!=ExperimentSmoke"
case "${1:-}" in
    "") ;;
    --quick) filter="Category!=ExperimentSmoke&Category!=ExperimentNotebook&Category!=ExperimentMutation" ;;
    --experiments) filter="" ;;
    *) echo "test.sh: unknown option '$1'; use --quick, --experiments or nothing." >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bash "$here/setup.sh"
configuration="${CDM_CONFIGURATION:-Release}"
results="$(mktemp -d)"
status=0
dotnet test "$root/CdmNotebooks.sln" -c "$configuration" --no-build -nologo ${filter:+--filter "$filter"} \
    --logger "trx;LogFileName=tests.trx" --results-directory "$results" --logger "console;verbosity=normal" || status=$?
# One plain closing line for CI, counted from the TRX results.
/usr/bin/python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
passed = skipped = 0
failures = []
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    for result in root.iter(ns + "UnitTestResult"):
        outcome = result.get("outcome")
        if outcome == "Passed": passed += 1
        elif outcome == "NotExecuted": skipped += 1
        else:
            message = result.find(f"{ns}Output/{ns}ErrorInfo/{ns}Message")
            failures.append((result.get("testName"), outcome, (message.text or "") if message is not None else ""))
# CI shows only the tail of this output, so every failure is repeated here with the start of its message.
for name, outcome, message in failures:
    print(f"FAILED ({outcome}) {name}")
    for line in message.strip().splitlines()[:12]:
        print(f"    {line[:300]}")
print(f"{passed} passed, {len(failures)} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
