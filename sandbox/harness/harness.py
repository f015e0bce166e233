"""The in-container harness: the container's only trusted process besides its init.

Started as `python3 -I -c <this file> [<prepare source>]`. It

1. makes itself non-dumpable, so code of the same user cannot open its file descriptors or trace it;
2. if given a prepare source, forks the test child at once and lets it warm up (import the test
   framework) before any payload arrives: the child never holds the run's secret nonce;
3. reads one payload from stdin: a header line with its length, then JSON
   {"nonce", "timeout", "output_cap", "files": {path: text}, "command": [...] or null};
4. writes the files, starts (or releases) the child with stdin=/dev/null, stdout/stderr to capped
   pipes and the structured report on fd 3;
5. on the child's exit, the deadline or an output flood, kills every process of the sandbox user;
6. prints one JSON result framed by the nonce on its stdout, the container's stdout.
"""

import ctypes
import json
import os
import selectors
import signal
import sys
import time

REPORT_FD = 3
REPORT_CAP = 1 << 20
PAYLOAD_CAP = 8 << 20
IDLE_SECONDS = int(os.environ.get("SANDBOX_IDLE_SECONDS", "600"))
WORK = "/work"


def non_dumpable():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except OSError:
        pass


def child_setup():
    """In the child before it runs tested code: own session, first in line for the OOM killer."""
    os.setsid()
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def read_exactly(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(65536, n - got))
        if not chunk:
            raise EOFError("payload cut short")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_payload():
    header = b""
    ready = selectors.DefaultSelector()
    ready.register(0, selectors.EVENT_READ)
    if not ready.select(IDLE_SECONDS):
        sys.exit(0)  # an idle pooled container retires itself
    while not header.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            sys.exit(0)
        header += byte
    size = int(header)
    if size > PAYLOAD_CAP:
        raise ValueError("payload too large")
    return json.loads(read_exactly(0, size))


def write_files(files):
    for rel, text in files.items():
        path = os.path.normpath(os.path.join(WORK, rel))
        if not path.startswith(WORK + "/") and not path.startswith("/tmp/"):
            raise ValueError("bad path " + rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)


def make_pipes():
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    return (out_r, err_r, rep_r), (out_w, err_w, rep_w)


def wire_child(writers):
    """In the child: stdin from /dev/null, stdout/stderr/report onto the pipes."""
    out_w, err_w, rep_w = writers
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.dup2(rep_w, REPORT_FD)
    for fd in (devnull, out_w, err_w, rep_w):
        if fd > REPORT_FD:
            os.close(fd)


def prefork(prepare_source, writers, readers):
    """Fork the warm child: it runs the prepare source, which waits for the go line on stdin."""
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in readers:
            os.close(fd)
        os.close(go_w)
        child_setup()
        wire_child(writers)
        os.dup2(go_r, 0)  # the go line arrives on stdin, then stdin is closed
        os.close(go_r)
        namespace = {"__name__": "__sandbox_prepare__", "REPORT_FD": REPORT_FD}
        code = 0
        try:
            exec(compile(prepare_source, "<prepare>", "exec"), namespace)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 70
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)
    os.close(go_r)
    return pid, go_w


def spawn(command, writers, readers):
    pid = os.fork()
    if pid == 0:
        try:
            for fd in readers:
                os.close(fd)
            child_setup()
            wire_child(writers)
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    return pid


def kill_everyone():
    """Kill every process this user may signal (all but init and ourselves): escaped daemons too."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def oom_kills():
    """OOM kills in this container's memory cgroup (v1, then v2), or None if unreadable."""
    for path in ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return None


def supervise(pid, readers, deadline, output_cap):
    out_r, err_r, rep_r = readers
    buffers = {out_r: bytearray(), err_r: bytearray(), rep_r: bytearray()}
    seen = {out_r: 0, err_r: 0, rep_r: 0}
    sel = selectors.DefaultSelector()
    for fd in readers:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    status = None
    reason = None
    open_fds = set(readers)
    while True:
        if status is None:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                status = wait_status
                kill_everyone()
        remaining = deadline - time.monotonic()
        if remaining <= 0 and reason is None and status is None:
            reason = "timeout"
            kill_everyone()
        if status is not None and not open_fds:
            break
        if reason is not None and status is None:
            _, status = os.waitpid(pid, 0)
        events = sel.select(timeout=0.05 if status is None else 0.2)
        if status is not None and not events:
            break  # every writer is dead; nothing more will come
        for key, _ in events:
            fd = key.fd
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(fd)
                open_fds.discard(fd)
                continue
            seen[fd] += len(chunk)
            cap = REPORT_CAP if fd == rep_r else output_cap
            room = cap - len(buffers[fd])
            if room > 0:
                buffers[fd] += chunk[:room]
            if seen[fd] > cap and reason is None:
                reason = "report_limit" if fd == rep_r else "output_limit"
                kill_everyone()
    if status is None:
        _, status = os.waitpid(pid, 0)
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "reason": reason,
        "stdout": buffers[out_r].decode("utf-8", "replace"),
        "stderr": buffers[err_r].decode("utf-8", "replace"),
        "stdout_bytes": seen[out_r],
        "stderr_bytes": seen[err_r],
        "report": buffers[rep_r].decode("utf-8", "replace"),
    }


def main():
    non_dumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    prepare_source = sys.argv[1] if len(sys.argv) > 1 else ""
    readers, writers = make_pipes()
    warm = prefork(prepare_source, writers, readers) if prepare_source else None
    payload = read_payload()
    started = time.monotonic()
    os.chdir(WORK)
    write_files(payload["files"])
    if warm is None:
        pid = spawn(payload["command"], writers, readers)
    else:
        pid, go = warm
        os.write(go, (json.dumps(payload.get("args", {})) + "\n").encode())
        os.close(go)
    for fd in writers:
        os.close(fd)
    result = supervise(pid, readers, started + float(payload["timeout"]), int(payload["output_cap"]))
    result["duration_ms"] = int((time.monotonic() - started) * 1000)
    result["oom_kills"] = oom_kills()
    nonce = payload["nonce"]
    frame = "\n%s:BEGIN\n%s\n%s:END\n" % (nonce, json.dumps(result), nonce)
    sys.stdout.buffer.write(frame.encode())
    sys.stdout.buffer.flush()


main()
