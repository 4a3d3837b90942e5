"""Starts the CdmNotebooks C# kernel under the real jupyter_client (Debian's), for the protocol checks and the benchmark.

The kernel is registered in a private temporary prefix by environment/install-kernel.sh (--no-build), so the checks
exercise the installer too and never touch the user's Jupyter set-up.
"""
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
KERNEL_NAME = "cdm-csharp"


def require_jupyter():
    try:
        import jupyter_client  # noqa: F401
    except ImportError:
        sys.exit("jupyter_client is missing for " + sys.executable
                 + ": apt-get install -y python3-jupyter-client jupyter-client (and run with /usr/bin/python3)")


def register(kernel_dll):
    """Installs the kernelspec for kernel_dll into a fresh prefix and points JUPYTER_PATH at it."""
    if not os.path.isfile(kernel_dll):
        sys.exit(f"kernel build not found: {kernel_dll} (build environment/kernel/CdmNotebooks.Kernel first)")
    configuration = os.path.basename(os.path.dirname(os.path.dirname(kernel_dll)))
    expected = os.path.join(REPO, "environment", "kernel", "CdmNotebooks.Kernel", "bin", configuration, "net10.0", "cdm-kernel.dll")
    if os.path.realpath(expected) != os.path.realpath(kernel_dll):
        sys.exit(f"{kernel_dll} is not this repository's kernel build ({expected})")
    prefix = tempfile.mkdtemp(prefix="cdm-kernel-spec-")
    subprocess.run(["bash", os.path.join(REPO, "environment", "install-kernel.sh"), "--prefix", prefix,
                    "--configuration", configuration, "--no-build"], check=True, stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    return prefix


def start(kernel_dll, timeout=120):
    """Returns (manager, client, seconds until the kernel answered kernel_info)."""
    require_jupyter()
    from jupyter_client.manager import KernelManager
    register(kernel_dll)
    manager = KernelManager(kernel_name=KERNEL_NAME)
    began = time.perf_counter()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=timeout)
    return manager, client, time.perf_counter() - began


def execute(client, code, timeout=120):
    """Runs code and returns (reply content, list of iopub messages other than status/execute_input)."""
    outputs = []

    def keep(message):
        if message["msg_type"] not in ("status", "execute_input"):
            outputs.append(message)

    reply = client.execute_interactive(code, timeout=timeout, output_hook=keep, allow_stdin=False)
    return reply["content"], outputs


def stop(manager, client):
    try:
        client.stop_channels()
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
