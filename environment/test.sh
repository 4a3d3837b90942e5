#!/usr/bin/env bash
# The test command: set-up (idempotent), then every test of the solution, ending with one 'N passed, N failed' line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bash "$here/setup.sh"
configuration="${CDM_CONFIGURATION:-Release}"
results="$(mktemp -d)"
status=0
dotnet test "$root/CdmNotebooks.sln" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=tests.trx" --results-directory "$results" --logger "console;verbosity=normal" || status=$?
# One plain closing line for CI, counted from the TRX results.
/usr/bin/python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    passed += int(counters.get("passed", 0)); failed += int(counters.get("failed", 0)) + int(counters.get("error", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
