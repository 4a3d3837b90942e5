#!/usr/bin/env bash
# Issue #5's standard-profile run through the command line: Fashion-MNIST by-class-8 shards in a registry, compositions with
# each router kind vs naive averaging (conditional accuracy, FID), a 10-ID forget request with its lineage check, and the
# sparse-composition benchmark, then the composition after forgetting. Every step is resumable: re-running skips what the registry or results already hold.
#   bash environment/reproduce-composition-standard.sh        (~1 h on 2 cores; writes results/composition/standard/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cdm=(environment/cdm)
registry="${CDM_COMPOSITION_REGISTRY:-runs/standard/registry-fashion-by-class-8}"
out=results/composition/standard
work=runs/standard/composition
mkdir -p "$out" "$work"
count=200   # 20 per class
steps=50    # DDPM steps (ancestral: the Ito-density router needs a stochastic path)

step() { echo "== $(date -u +%H:%M:%S) $*"; }

if [ ! -d "$registry/shards/fashion-mnist-by-class-8.s7" ]; then
    step "train the 8 by-class shards (compute parity: 2,500 paragon steps shared by data fraction)"
    { time "${cdm[@]}" shard add --registry "$registry" --split fashion-mnist-by-class-8 --shard 0 1 2 3 4 5 6 7 --profile standard --user lead; } \
        2>&1 | tee "$out/shard-add.log"
fi

if ! ls "$registry"/routers 2>/dev/null | grep -q classifier; then
    step "train the router classifier"
    { time "${cdm[@]}" router train --registry "$registry" --kind classifier --profile standard; } 2>&1 | tee "$out/router-train-classifier.log"
fi

for router in naive classifier ito; do
    if [ ! -f "$out/eval-$router.txt" ]; then
        step "compose with $router: $count samples x $steps steps, then evaluate"
        { time "${cdm[@]}" compose sample --registry "$registry" --router "$router" --count "$count" --steps "$steps" \
            --out "$out/samples-$router.png" --samples-out "$work/$router"; } 2>&1 | tee "$out/sample-$router.log"
        "${cdm[@]}" eval --samples "$work/$router/samples.pt" --classes "$work/$router/classes.txt" --dataset fashion-mnist \
            | tee "$out/eval-$router.txt.tmp"
        mv "$out/eval-$router.txt.tmp" "$out/eval-$router.txt"
    fi
done

if [ ! -f "$out/compose-bench.txt" ]; then
    step "sparse-composition benchmark (classifier router, threshold 0.01) with FID"
    "${cdm[@]}" compose bench --registry "$registry" --router classifier --sparse-threshold 0.01 --count "$count" --steps "$steps" --fid \
        | tee "$out/compose-bench.txt.tmp"
    mv "$out/compose-bench.txt.tmp" "$out/compose-bench.txt"
fi

if [ ! -f "$out/forget-10.log" ]; then
    step "forget 10 random training IDs (seed 5) and run the lineage check"
    /usr/bin/python3 - > "$out/forget-10-ids.txt" <<'PY'
import csv, random
ids = [row["sample_id"] for row in csv.DictReader(open("data-manifests/splits/fashion-mnist-by-class-8.csv"))]
print("\n".join(sorted(random.Random(5).sample(ids, 10))))
PY
    { time "${cdm[@]}" forget --registry "$registry" --ids-file "$out/forget-10-ids.txt" --user lead --profile standard; } 2>&1 | tee "$out/forget-10.log.tmp"
    mv "$out/forget-10.log.tmp" "$out/forget-10.log"
fi
if [ ! -f "$out/eval-classifier-after-forget.txt" ]; then
    step "compose with the retrained shards and router after forgetting, then evaluate"
    { time "${cdm[@]}" compose sample --registry "$registry" --router classifier --count "$count" --steps "$steps" \
        --out "$out/samples-classifier-after-forget.png" --samples-out "$work/classifier-after-forget"; } 2>&1 | tee "$out/sample-classifier-after-forget.log"
    "${cdm[@]}" eval --samples "$work/classifier-after-forget/samples.pt" --classes "$work/classifier-after-forget/classes.txt" \
        --dataset fashion-mnist | tee "$out/eval-classifier-after-forget.txt.tmp"
    mv "$out/eval-classifier-after-forget.txt.tmp" "$out/eval-classifier-after-forget.txt"
fi
step "done: $out"
