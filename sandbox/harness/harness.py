"""The supervisor: the container's only trusted process besides its init (see PROTOCOL.md).

Started as root (capabilities SETUID, SETGID, CHOWN and DAC_OVERRIDE only) as `python3 -I -c <this file> <bundle>`,
where the bundle (zlib + base64 JSON) holds the other harness files and which roles to start warm.
It

1. makes itself non-dumpable, installs the harness files in /tmp/harness (root's, read-only to all);
2. lays out /work/judge, /work/solution, /tmp/judge and the proxy FIFOs, each owned by its role;
3. forks the warm roles (the judge imports pytest, the solution server waits) under their uids, before
   any payload arrives: no role ever holds the run's nonce;
4. reads one payload from stdin: a header line with its length, then JSON
   {"nonce", "timeout", "output_cap", "mode", "tests", "solution", "roles": {...}};
5. writes the files, starts the cold roles, then drops to uid 10000 with no capabilities;
6. releases the roles, caps their output, and on the judge's exit, the deadline or a flood prints one
   JSON result framed by the nonce on its stdout (the container's) and exits, which ends the
   container and every process in it.
"""

import base64
import ctypes
import json
import os
import selectors
import signal
import sys
import time
import zlib

SUPERVISOR, JUDGE, SOLUTION = 10000, 10001, 10002
REPORT_FD = 3
REPORT_CAP = 4 << 20
PAYLOAD_CAP = 8 << 20
IDLE_SECONDS = int(os.environ.get("SANDBOX_IDLE_SECONDS", "600"))
HARNESS = "/tmp/harness"
JUDGE_DIR, SOLUTION_DIR = "/work/judge", "/work/solution"
JUDGE_TMP, SOLUTION_TMP = "/tmp/judge", "/tmp/solution"
IPC = JUDGE_TMP + "/ipc"
DRAIN_SECONDS = 0.2
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def non_dumpable():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except OSError:
        pass


def become(uid):
    """Set every uid and gid to `uid` and drop the supplementary groups: the capabilities go with root."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def make_dir(path, uid, mode):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    os.chown(path, uid, uid)


def write_file(path, text, uid, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chown(path, uid, uid)


def install(files):
    make_dir(HARNESS, 0, 0o755)
    for name, text in files.items():
        write_file(os.path.join(HARNESS, os.path.basename(name)), text, 0)
    make_dir(JUDGE_DIR, JUDGE, 0o700)
    make_dir(SOLUTION_DIR, SOLUTION, 0o755)
    make_dir(JUDGE_TMP, JUDGE, 0o700)
    make_dir(SOLUTION_TMP, SOLUTION, 0o700)
    make_dir(IPC, 0, 0o700)
    ends = {}
    for name in ("call", "answer"):
        path = os.path.join(IPC, name)
        os.mkfifo(path, 0o600)
        ends[name] = os.open(path, os.O_RDWR)  # the solution server's end: open before the judge's
        os.chown(path, JUDGE, JUDGE)
    # Kept open (never read) for the whole run: a FIFO drops its data when its last descriptor
    # closes, and the server's greeting must wait for the judge even if the server is gone.
    ends["keep"] = os.open(os.path.join(IPC, "answer"), os.O_RDONLY | os.O_NONBLOCK)
    os.chown(IPC, JUDGE, JUDGE)
    return ends


class Pipes:
    """The capped pipes every role writes to; the supervisor holds the read ends."""

    def __init__(self):
        self.read, self.write = {}, {}
        for name in ("judge_out", "judge_err", "report", "solution_out", "solution_err", "collection"):
            self.read[name], self.write[name] = os.pipe()

    def close_writers(self):
        for fd in self.write.values():
            os.close(fd)


def start_role(uid, fds, env, *, source=None, command=None, go=None, nice=0, oom=0):
    """Fork a role under `uid` with `fds` as its descriptors 0.. (None: /dev/null). With `source`, the
    child runs that Python file's text after reading its go line from stdin (the returned pipe)."""
    go_r, go_w = os.pipe() if source is not None else (None, None)
    pid = os.fork()
    if pid != 0:
        if go_r is not None:
            os.close(go_r)
        return pid, go_w
    try:
        os.setsid()
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write(str(oom))
        except OSError:
            pass
        if nice:
            os.nice(nice)
        wanted = [go_r if go_r is not None else None, *fds]
        devnull = os.open(os.devnull, os.O_RDWR)
        temporary = [os.dup(fd if fd is not None else devnull) for fd in wanted]  # above any target
        for target, fd in enumerate(temporary):
            os.dup2(fd, target)
        os.closerange(len(wanted), 1 << 16)
        os.environ.clear()
        os.environ.update(BASE_ENV, **env)
        become(uid)
        if command is not None:
            os.chdir(env.get("HOME", "/"))
            os.execvp(command[0], command)
        code = 0
        try:
            exec(compile(source, "<role>", "exec"), {"__name__": "__sandbox_role__", "REPORT_FD": REPORT_FD})
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
    finally:
        os._exit(127)


def judge_env(mode, deadline):
    env = {"HOME": JUDGE_DIR, "TMPDIR": JUDGE_TMP, "SANDBOX_IPC": IPC, "SANDBOX_PROXY_MODE": mode}
    if deadline is not None:
        env["SANDBOX_DEADLINE"] = "%.3f" % deadline
    return env


SOLUTION_ENV = {"HOME": SOLUTION_DIR, "TMPDIR": SOLUTION_TMP}


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
        if len(header) > 20:
            raise ValueError("bad payload header")
    size = int(header)
    if size > PAYLOAD_CAP:
        raise ValueError("payload too large")
    chunks, got = [], 0
    while got < size:
        chunk = os.read(0, min(65536, size - got))
        if not chunk:
            raise EOFError("payload cut short")
        chunks.append(chunk)
        got += len(chunk)
    return json.loads(b"".join(chunks))


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


def supervise(pipes, waited, deadline, output_cap, tested_streams):
    """Read every pipe until the roles in `waited` have exited, the deadline passes or a stream that
    the tested code writes to passes `output_cap`. Returns what was read and why it stopped."""
    caps = {name: (REPORT_CAP if name in ("report", "collection") else output_cap) for name in pipes.read}
    buffers = {name: bytearray() for name in pipes.read}
    seen = dict.fromkeys(pipes.read, 0)
    sel = selectors.DefaultSelector()
    for name, fd in pipes.read.items():
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ, name)
    statuses, reason, drain_until = {}, None, None
    open_names = set(pipes.read)
    judge_side = {"judge_out", "judge_err", "report", "collection"}
    while reason is None:
        for role, pid in list(waited.items()):
            if role not in statuses:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    statuses[role] = os.waitstatus_to_exitcode(status)
        now = time.monotonic()
        if len(statuses) == len(waited) and drain_until is None:
            drain_until = now + DRAIN_SECONDS  # what is still in the pipes; daemons may hold them open
        if drain_until is not None and now >= drain_until:
            break
        if now >= deadline:
            reason = "timeout"
            break
        if drain_until is None:
            wait = 0.02
        elif judge_side.isdisjoint(open_names):
            wait = 0.0  # the judge's pipes are all closed: take what the solution's hold now, no more
        else:
            wait = max(0.0, drain_until - now)
        events = sel.select(timeout=wait)
        if drain_until is not None and not events:
            break
        for key, _ in events:
            name = key.data
            try:
                chunk = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(key.fd)
                open_names.discard(name)
                if not sel.get_map():
                    drain_until = drain_until or time.monotonic()
                continue
            seen[name] += len(chunk)
            room = caps[name] - len(buffers[name])
            if room > 0:
                buffers[name] += chunk[:room]
            if seen[name] > caps[name]:
                if name in ("report", "collection"):
                    reason = "report_limit"
                elif name in tested_streams:
                    reason = "output_limit"
    return statuses, reason, buffers, seen


def text(data):
    return data.decode("utf-8", "replace")


def main():
    non_dumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    bundle = json.loads(zlib.decompress(base64.b64decode(sys.argv[1])))
    ends = install(bundle["files"])
    pipes = Pipes()
    w = pipes.write
    server_fds = [None, w["solution_out"], w["solution_err"], ends["call"], ends["answer"]]
    warm = {}
    if bundle.get("judge"):
        warm["judge"] = start_role(
            JUDGE, [w["judge_out"], w["judge_err"], w["report"]], judge_env("run", None), source=bundle["judge"]
        )
    if bundle.get("server"):
        warm["server"] = start_role(SOLUTION, server_fds[1:], SOLUTION_ENV, source=bundle["server"], nice=19, oom=1000)

    payload = read_payload()
    started = time.monotonic()
    deadline_wall = time.time() + float(payload["timeout"])
    mode = payload.get("mode", "isolated")
    roles = payload.get("roles", {})
    write_file(os.path.join(JUDGE_DIR, payload["tests"]["name"]), payload["tests"]["text"], JUDGE, 0o600)
    write_file(os.path.join(SOLUTION_DIR, payload["solution"]["name"]), payload["solution"]["text"], SOLUTION)
    for name, content in payload.get("judge_files", {}).items():  # the JavaScript proxy, or the solution itself
        write_file(os.path.join(JUDGE_DIR, os.path.basename(name)), content, JUDGE, 0o600)

    waited = {}
    go = {}
    judge_fds = [w["judge_out"], w["judge_err"], w["report"]]
    collect = roles.get("collect")
    if collect:
        # Lists the tests with the proxy refusing every use: no solution code runs in this step.
        env = judge_env("collect", deadline_wall)
        fds = [None, w["judge_err"], w["collection"]]
        if collect.get("command"):
            waited["collector"], _ = start_role(JUDGE, fds, env, command=collect["command"])
        else:
            waited["collector"], go_w = start_role(JUDGE, fds, env, source=bundle["judge"])
            go["collector"] = (go_w, {"mode": "collect", "files": collect.get("files", [])})
    judge = roles["judge"]
    judge_mode = "in-process" if mode == "in-process" else "run"
    if judge.get("command"):
        waited["judge"], _ = start_role(
            JUDGE, judge_fds, judge_env(judge_mode, deadline_wall), command=judge["command"]
        )
    else:
        waited["judge"], go_w = warm.pop("judge")
        go["judge"] = (
            go_w,
            {"mode": judge_mode, "files": judge.get("files", []), "deadline": deadline_wall, "ipc": IPC},
        )
    server = roles.get("server") if mode != "in-process" else None
    if server is not None and server.get("command"):
        start_role(SOLUTION, server_fds[1:], SOLUTION_ENV, command=server["command"], nice=19, oom=1000)
    elif "server" in warm:
        _, go_w = warm.pop("server")
        go["server"] = (go_w, {"mode": "exit" if server is None else "serve", "path": SOLUTION_DIR})
    for name in ("call", "answer"):
        os.close(ends[name])
    pipes.close_writers()
    become(SUPERVISOR)  # from here on the supervisor can do nothing to the roles but read them

    for go_w, message in go.values():
        os.write(go_w, (json.dumps(message) + "\n").encode())
        os.close(go_w)
    # In isolated mode only the solution server runs the tested code; in-process, the judge does too.
    tested = {"solution_out", "solution_err"} | ({"judge_out", "judge_err"} if mode == "in-process" else set())
    statuses, reason, buffers, seen = supervise(
        pipes, waited, started + float(payload["timeout"]), int(payload["output_cap"]), tested
    )
    result = {
        "exit_code": statuses.get("judge"),
        "reason": reason,
        "mode": mode,
        "stdout": text(buffers["solution_out"]),
        "stderr": text(buffers["solution_err"]),
        "judge_stdout": text(buffers["judge_out"]),
        "judge_stderr": text(buffers["judge_err"]),
        "stdout_bytes": max(seen[s] for s in tested if s.endswith("out")),
        "stderr_bytes": max(seen[s] for s in tested if s.endswith("err")),
        "report": text(buffers["report"]),
        "collection": text(buffers["collection"]) if collect else None,
        "duration_ms": int((time.monotonic() - started) * 1000),
        "oom_kills": oom_kills(),
    }
    nonce = payload["nonce"]
    frame = "\n%s:BEGIN\n%s\n%s:END\n" % (nonce, json.dumps(result), nonce)
    sys.stdout.buffer.write(frame.encode())
    sys.stdout.buffer.flush()
    os._exit(0)  # init follows us out, and the kernel ends every process of the container


main()
