"""Drives the CdmNotebooks C# kernel with Debian's jupyter_client and checks one protocol behaviour.

usage: /usr/bin/python3 protocol_check.py --kernel-dll PATH --check NAME[,NAME...]
Several checks run in order on one kernel (shutdown, if given, must be last). Prints PASS/FAIL lines and exits 0 only
when every assertion of every check held.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_harness  # noqa: E402


class CheckFailed(Exception):
    pass


def expect(condition, what, detail=""):
    if not condition:
        raise CheckFailed(f"{what}: {detail}")
    print(f"  ok: {what}")


def text_of(outputs, kind):
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == kind)


def result_text(outputs):
    results = [m for m in outputs if m["msg_type"] == "execute_result"]
    return results[-1]["content"]["data"]["text/plain"] if results else None


def shell_reply(client, msg_id, timeout=60):
    """The shell reply to msg_id (Debian's jupyter_client 7 lacks reply=True on some request helpers)."""
    while True:
        message = client.get_shell_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") == msg_id:
            return message["content"]


def check_execute_state(manager, client):
    info = client.kernel_info(reply=True, timeout=30)["content"]
    expect(info["protocol_version"] == "5.3", "kernel_info reports protocol 5.3", info)
    expect(info["language_info"]["name"] == "csharp", "language is csharp", info["language_info"])
    reply, _ = kernel_harness.execute(client, "var x = 40;")
    expect(reply["status"] == "ok", "declaring a variable succeeds", reply)
    first_count = reply["execution_count"]
    reply, outputs = kernel_harness.execute(client, "x + 2")
    expect(result_text(outputs) == "42", "a later cell sees the variable (x + 2 == 42)", outputs)
    expect(reply["execution_count"] == first_count + 1, "execution_count advances by one", reply)
    reply, outputs = kernel_harness.execute(client, 'Console.WriteLine("hello from C#"); Console.Error.WriteLine("to stderr");')
    expect("hello from C#\n" in text_of([m for m in outputs if m["content"].get("name") == "stdout"], "stream"),
           "Console.WriteLine arrives as a stdout stream", outputs)
    expect("to stderr" in text_of([m for m in outputs if m["content"].get("name") == "stderr"], "stream"),
           "Console.Error arrives as a stderr stream", outputs)
    reply = shell_reply(client, client.is_complete("if (x > 1) {"))
    expect(reply["status"] == "incomplete", "an open brace is incomplete", reply)
    reply = shell_reply(client, client.is_complete("x * 2"))
    expect(reply["status"] == "complete", "an expression is complete", reply)
    code = "x.Compa"
    reply = shell_reply(client, client.complete(code, len(code)))
    expect("CompareTo" in reply["matches"] and reply["cursor_start"] == 2, "member completion offers int.CompareTo", reply)
    code = "var images = zer"
    reply = shell_reply(client, client.complete(code, len(code)))
    expect("zeros" in reply["matches"], "completion sees the static TorchSharp.torch import", reply)
    reply = shell_reply(client, client.inspect("x", 1))
    expect(reply["found"] and "int" in reply["data"]["text/plain"], "inspect describes x as an int", reply)
    reply = shell_reply(client, client.comm_info())
    expect(reply["status"] == "ok" and reply["comms"] == {}, "comm_info answers with no comms", reply)


def check_errors(manager, client):
    reply, outputs = kernel_harness.execute(client, 'var kept = 1;\nint y = "text";')
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    expect(reply["status"] == "error" and errors, "a compile error gives an error reply and output", (reply, outputs))
    expect(errors[0]["ename"] == "CompilationError" and any("(2," in line and "CS0029" in line for line in errors[0]["traceback"]),
           "the compile error names line 2 and CS0029", errors[0])
    reply, outputs = kernel_harness.execute(client, 'var z = 5;\nthrow new InvalidOperationException("boom");')
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    expect(reply["status"] == "error" and errors and errors[0]["ename"] == "InvalidOperationException",
           "an exception becomes an error output with its type", (reply, outputs))
    expect("boom" in errors[0]["evalue"] and "line 2" in errors[0]["evalue"], "the error value holds the message and the cell line", errors[0])
    reply, outputs = kernel_harness.execute(client, "z + 1")
    expect(result_text(outputs) == "6", "the kernel survives and keeps variables declared before the throw", outputs)
    # "Run all": cells queued behind a failing one are aborted, not run.
    failing = client.execute('Thread.Sleep(500); throw new Exception("stop here");')
    queued = client.execute("z = 100;")
    expect(shell_reply(client, failing)["status"] == "error", "the failing queued cell reports its error", failing)
    expect(shell_reply(client, queued)["status"] == "aborted", "the cell queued behind it is aborted", queued)
    reply, outputs = kernel_harness.execute(client, "z")
    expect(result_text(outputs) == "5", "the aborted cell did not run", (reply, outputs))


def check_interrupt(manager, client):
    kernel_harness.execute(client, "var before = 7;")
    for label, code in [
        ("a loop that checks Cancellation", "long spins = 0;\nwhile (true) { Cancellation.ThrowIfCancellationRequested(); spins++; }"),
        ("a blocking Thread.Sleep", "Thread.Sleep(600_000);"),
    ]:
        msg_id = client.execute(code)
        time.sleep(2.0)
        began = time.perf_counter()
        manager.interrupt_kernel()
        reply = shell_reply(client, msg_id, timeout=30)
        elapsed = time.perf_counter() - began
        expect(reply["status"] == "error" and reply["ename"] == "Interrupted", f"interrupting {label} ends the cell as Interrupted", reply)
        # The kernel abandons a cell that ignores the interrupt for 5 s and says so; these cells must stop by themselves.
        expect("did not stop" not in reply["evalue"], f"{label} stops by itself rather than being abandoned", reply["evalue"])
        expect(elapsed < 10.0, f"{label} ends within 10 s of the interrupt", f"{elapsed:.2f} s")
    reply, outputs = kernel_harness.execute(client, "before * 6")
    expect(result_text(outputs) == "42", "the kernel stays usable with its state after interrupts", outputs)


def check_shutdown(manager, client):
    kernel_harness.execute(client, "var alive = true;")
    process = manager.provisioner.process
    msg_id = client.shutdown()
    reply = client.get_control_msg(timeout=30)
    expect(reply["msg_type"] == "shutdown_reply" and reply["parent_header"]["msg_id"] == msg_id, "shutdown_request is answered", reply)
    expect(reply["content"]["status"] == "ok" and reply["content"]["restart"] is False, "shutdown_reply says ok, no restart", reply["content"])
    try:
        code = process.wait(timeout=15)
    except Exception as error:  # subprocess.TimeoutExpired
        raise CheckFailed(f"kernel process still running 15 s after shutdown: {error}")
    expect(code == 0, "the kernel process exits with code 0 after shutdown", code)


def check_bad_signature(manager, client):
    from jupyter_client.session import Session
    marker = os.path.join(tempfile.mkdtemp(prefix="cdm-kernel-sig-"), "executed.txt")
    code = f'System.IO.File.WriteAllText(@"{marker}", "executed");'
    for label, key in [("a wrong key", b"not-the-connection-key"), ("no signature", b"")]:
        forger = Session(key=key, username="attacker")
        forger.send(client.shell_channel.socket, "execute_request",
                    {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        time.sleep(1.0)
        expect(not os.path.exists(marker), f"an execute_request signed with {label} is not executed", marker)
    # Nothing may answer the forged requests; the next reply on shell must be for a genuine request.
    reply, outputs = kernel_harness.execute(client, f'System.IO.File.Exists(@"{marker}")')
    expect(reply["status"] == "ok" and result_text(outputs) == "False", "the kernel keeps serving signed requests, marker absent", outputs)
    expect(not os.path.exists(marker), "the forged code never ran", marker)


def kernel_alive(manager):
    return manager.provisioner.process.poll() is None


def check_forged_control(manager, client):
    from jupyter_client.session import Session
    forger = Session(key=b"not-the-connection-key", username="attacker")
    # A forged interrupt must not stop a running cell, and a forged shutdown must not stop the kernel.
    msg_id = client.execute("Thread.Sleep(3000);\n\"slept\"")
    time.sleep(1.0)
    forger.send(client.control_channel.socket, "interrupt_request", {})
    forger.send(client.control_channel.socket, "shutdown_request", {"restart": False})
    reply = shell_reply(client, msg_id, timeout=30)
    expect(reply["status"] == "ok", "a cell survives an interrupt_request forged on control", reply)
    time.sleep(1.0)
    expect(kernel_alive(manager), "the kernel survives a shutdown_request forged on control")
    reply, outputs = kernel_harness.execute(client, "1 + 1")
    expect(result_text(outputs) == "2", "the kernel keeps serving after forged control requests", outputs)


def check_malformed(manager, client):
    session = client.session
    def signed(parts):
        return [b"<IDS|MSG>", session.sign(parts) if session.key else b""] + parts
    garbage = [
        [b"garbage"],
        [b"<IDS|MSG>"],
        [b"<IDS|MSG>", b"", b"{}"],
        signed([b"{not json", b"{}", b"{}", b"{}"]),
        signed([b"[1, 2]", b"7", b"null", b"\"text\""]),
        signed([b'{"msg_id": "x", "msg_type": "execute_request"}', b"{}", b"{}", b'{"code": 42}']),
        signed([b"\xff\xfe\xfd", b"{}", b"{}", b"{}"]),
    ]
    for channel in (client.shell_channel, client.control_channel):
        for frames in garbage:
            channel.socket.send_multipart(frames)
    time.sleep(1.5)
    expect(kernel_alive(manager), "the kernel survives malformed frames on shell and control")
    reply, outputs = kernel_harness.execute(client, "6 * 7")
    expect(result_text(outputs) == "42", "the kernel keeps serving shell after malformed frames", outputs)
    msg = session.msg("kernel_info_request", {})
    session.send(client.control_channel.socket, msg)
    answer = client.get_control_msg(timeout=15)
    expect(answer["msg_type"] == "kernel_info_reply" and answer["parent_header"]["msg_id"] == msg["header"]["msg_id"],
           "the kernel keeps serving control after malformed frames", answer)


def check_abandon(manager, client):
    kernel_harness.execute(client, "var kept = 11;")
    # A cell that never looks at Cancellation and never blocks cannot be stopped; the kernel must give up on it and stay usable.
    msg_id = client.execute("long spins = 0;\nwhile (true) { spins++; }")
    time.sleep(2.0)
    began = time.perf_counter()
    manager.interrupt_kernel()
    reply = shell_reply(client, msg_id, timeout=60)
    elapsed = time.perf_counter() - began
    expect(reply["status"] == "error" and reply["ename"] == "Interrupted", "an interrupt ends a cell that ignores it as Interrupted", reply)
    expect("did not stop" in reply["evalue"], "the reply says the cell was abandoned", reply["evalue"])
    expect(elapsed < 20.0, "the abandoned cell is answered within 20 s of the interrupt", f"{elapsed:.2f} s")
    reply, outputs = kernel_harness.execute(client, "kept * 2")
    expect(result_text(outputs) == "22", "the kernel runs new cells with its state after abandoning one", outputs)


def check_display(manager, client):
    reply, outputs = kernel_harness.execute(client, "zeros(3, 1, 28, 28)")
    data = next((m["content"]["data"] for m in outputs if m["msg_type"] == "execute_result"), {})
    expect("image/png" in data, "an image tensor result renders as a PNG grid", list(data))
    code = "var chart = Chart.Line<int, double, string>(new[] { 1, 2, 3 }, new[] { 1.0, 4.0, 9.0 }, Name: \"squares\");\nDisplay(chart);\nDisplay(chart);"
    reply, outputs = kernel_harness.execute(client, code)
    charts = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    expect(len(charts) == 2 and all("Plotly.newPlot" in c["text/html"] and "image/png" in c for c in charts),
           "a Plotly chart displays as HTML with a PNG fallback", [list(c) for c in charts])
    expect("plotly.js v" in charts[0]["text/html"] and "plotly.js v" not in charts[1]["text/html"],
           "plotly.js is inlined with the first chart only", [len(c["text/html"]) for c in charts])
    reply, outputs = kernel_harness.execute(client, "record Row(string Name, double Loss);\nnew[] { new Row(\"a\", 0.5), new Row(\"b\", 0.25) }")
    data = next((m["content"]["data"] for m in outputs if m["msg_type"] == "execute_result"), {})
    expect("<th>Loss</th>" in data.get("text/html", ""), "a sequence of records renders as an HTML table", data)
    reply, outputs = kernel_harness.execute(client, 'var bar = Progress("steps", 10);\nfor (var i = 1; i <= 10; i++) { bar.Report(i); }')
    shown = [m for m in outputs if m["msg_type"] == "display_data"]
    updates = [m for m in outputs if m["msg_type"] == "update_display_data"]
    expect(len(shown) == 1 and updates and updates[-1]["content"]["transient"]["display_id"] == shown[0]["content"]["transient"]["display_id"],
           "a progress bar is shown once and updated in place", [m["msg_type"] for m in outputs])
    expect("10/10" in updates[-1]["content"]["data"]["text/plain"], "the last update shows completion", updates[-1]["content"]["data"])


CHECKS = {
    "execute_state": check_execute_state,
    "errors": check_errors,
    "interrupt": check_interrupt,
    "shutdown": check_shutdown,
    "bad_signature": check_bad_signature,
    "forged_control": check_forged_control,
    "malformed": check_malformed,
    "abandon": check_abandon,
    "display": check_display,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kernel-dll", required=True)
    parser.add_argument("--check", required=True, help="comma-separated: " + ", ".join(sorted(CHECKS)))
    args = parser.parse_args()
    checks = args.check.split(",")
    unknown = [name for name in checks if name not in CHECKS]
    if unknown or ("shutdown" in checks and checks[-1] != "shutdown"):
        parser.error(f"unknown checks {unknown}, or shutdown not last: {checks}")
    manager, client, started = kernel_harness.start(args.kernel_dll)
    print(f"kernel ready in {started:.2f} s")
    try:
        for name in checks:
            print(f"check {name}")
            try:
                CHECKS[name](manager, client)
            except CheckFailed as failure:
                print(f"FAIL {name}: {failure}")
                return 1
            print(f"PASS {name}")
    finally:
        kernel_harness.stop(manager, client)
    return 0


if __name__ == "__main__":
    sys.exit(main())
