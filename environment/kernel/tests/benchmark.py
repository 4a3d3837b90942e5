"""Kernel benchmark: start time, first-cell latency and the median latency of a trivial cell, measured in one run
through Debian's jupyter_client (the client nbconvert and Jupyter use).

usage: /usr/bin/python3 environment/kernel/tests/benchmark.py [--kernel-dll PATH] [--cells 50] [--repeats 3]
Default PATH is the Release build (dotnet build -c Release environment/kernel/CdmNotebooks.Kernel).
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_harness  # noqa: E402

TARGET_MS = 30.0


def timed(client, code):
    began = time.perf_counter()
    reply, _ = kernel_harness.execute(client, code)
    elapsed = (time.perf_counter() - began) * 1000
    if reply["status"] != "ok":
        sys.exit(f"benchmark cell failed: {code!r}: {reply}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kernel-dll", default=os.path.join(kernel_harness.REPO, "environment", "kernel", "CdmNotebooks.Kernel",
                                                             "bin", "Release", "net10.0", "cdm-kernel.dll"))
    parser.add_argument("--cells", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="kernel starts (each measured separately)")
    args = parser.parse_args()
    starts, firsts, torch_firsts, medians = [], [], [], []
    for _ in range(args.repeats):
        manager, client, started = kernel_harness.start(args.kernel_dll)
        try:
            starts.append(started * 1000)
            firsts.append(timed(client, "1 + 1"))
            torch_firsts.append(timed(client, "zeros(2, 2).sum().item<float>()"))
            medians.append(statistics.median(timed(client, "1 + 1") for _ in range(args.cells)))
        finally:
            kernel_harness.stop(manager, client)
    print(f"kernel: {os.path.relpath(args.kernel_dll, kernel_harness.REPO)}, {args.repeats} starts, {args.cells} trivial cells each")
    print(f"kernel start (launch -> kernel_info reply): median {statistics.median(starts):.0f} ms  (runs: {', '.join(f'{v:.0f}' for v in starts)})")
    print(f"first cell `1 + 1` (Roslyn warm-up):          median {statistics.median(firsts):.0f} ms  (runs: {', '.join(f'{v:.0f}' for v in firsts)})")
    print(f"first TorchSharp cell (loads libtorch):        median {statistics.median(torch_firsts):.0f} ms  (runs: {', '.join(f'{v:.0f}' for v in torch_firsts)})")
    median = statistics.median(medians)
    print(f"trivial cell `1 + 1` round trip:              median {median:.1f} ms  (per start: {', '.join(f'{v:.1f}' for v in medians)})")
    print(f"target trivial cell <= {TARGET_MS:.0f} ms: {'met' if median <= TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
