"""Containers for test runs: create with every limit, attach, start, feed the payload over stdin, read
the result from the attached stream, remove. Never a file path into the container, never a reuse.

Facts this code rests on (checked on Docker 20.10, runc, cgroup v1): put_archive fails on a read-only
root and get_archive cannot see tmpfs, so code goes in over stdin and the result comes back on the
attached stream; `attach` keeps raw bytes where the log driver would mangle them (we disable logging);
`wait(timeout=)` leaves a container running, so we kill it; State.OOMKilled tells an OOM kill from ours.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import LogConfig, Ulimit

from sandbox import workers
from sandbox.languages.base import Language, harness_source
from sandbox.limits import Limits
from sandbox.seccomp import profile_text

LABEL = "code-preference.sandbox"
OWNER = f"{LABEL}.owner"  # host:pid of the process that started it
HEADER = struct.Struct(">BxxxL")
STDOUT, STDERR = 1, 2
HARNESS_STDERR_CAP = 64 * 1024
SEND_SECONDS = 10.0  # handing over at most PAYLOAD_CAP bytes to a waiting harness takes milliseconds
DOCKER_HINT = (
    "start the Docker engine (as root: `dockerd &`, or `systemctl start docker`) "
    "or point DOCKER_HOST at one, then run the tests again"
)


class Unavailable(Exception):
    """The engine or the image cannot be used; the message says what to do."""


class SendFailed(Exception):
    """The payload could not be handed to the container: nothing of it ran, so a retry is safe."""


@dataclass
class Sandbox:
    """A started container whose harness waits for its payload."""

    id: str
    language: str
    sock: socket.socket
    started_at: float = field(default_factory=time.monotonic)


@dataclass
class Raw:
    """Bytes and state that came out of one container."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    oom_killed: bool
    host_timeout: bool
    host_flood: bool


class DockerBackend:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._client: docker.DockerClient | None = None
        self._image_id: str | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            try:
                client = docker.from_env(timeout=30)
                client.ping()
            except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
                raise Unavailable(f"the Docker engine is not reachable ({exc}): {DOCKER_HINT}") from None
            self._client = client
        return self._client

    def image_id(self) -> str:
        if self._image_id is None:
            try:
                self._image_id = str(self.client.images.get(self.limits.image).id)
            except docker.errors.ImageNotFound:
                raise Unavailable(
                    f"the sandbox image {self.limits.image!r} is not there: run `make sandbox-image`"
                ) from None
            except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
                raise Unavailable(f"the Docker engine did not answer ({exc}): {DOCKER_HINT}") from None
        return self._image_id

    def start(self, language: Language) -> Sandbox:
        """Create, attach and start a container whose harness then waits for a payload."""
        self.image_id()
        api = self.client.api
        command = ["python3", "-I", "-c", harness_source("harness.py"), language.bundle()]
        try:
            container = api.create_container(
                self.limits.image,
                command=command,
                # The harness starts as root with three capabilities, lays out the judge's and the
                # solution's uids, then drops to a uid of its own (sandbox/harness/PROTOCOL.md).
                user="0:0",
                stdin_open=True,
                tty=False,
                working_dir="/work",
                hostname="sandbox",
                network_disabled=True,
                environment={"SANDBOX_IDLE_SECONDS": str(self.limits.idle_seconds)},
                labels={LABEL: "1", f"{LABEL}.language": language.name, OWNER: workers.worker_id()},
                host_config=self._host_config(),
            )
            cid = container["Id"]
            sock = _raw_socket(api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}))
            api.start(cid)
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise Unavailable(f"the sandbox container could not start ({exc}): {DOCKER_HINT}") from None
        return Sandbox(id=cid, language=language.name, sock=sock)

    def _host_config(self) -> dict[str, Any]:
        lim = self.limits
        # Root's: the harness makes a folder in each for every role, owned by that role.
        tmpfs_opts = "rw,noexec,nosuid,nodev,uid=0,gid=0"
        tmp = "/tmp"  # noqa: S108 - the container's own private tmpfs
        extra: dict[str, Any] = {"runtime": lim.runtime} if lim.runtime else {}
        ulimits = [Ulimit(name="nofile", soft=256, hard=256), Ulimit(name="core", soft=0, hard=0)]
        pids: int | None = lim.pids
        if lim.runtime == "runsc":
            # gVisor's sandbox kernel panics when the host's pids cgroup refuses it a thread; it enforces
            # RLIMIT_NPROC itself, per sandbox (under runc that limit would count the uid host-wide).
            pids = None
            ulimits.append(Ulimit(name="nproc", soft=lim.pids, hard=lim.pids))
        return self.client.api.create_host_config(
            network_mode="none",
            read_only=True,
            init=True,
            tmpfs={
                "/work": f"{tmpfs_opts},mode=0755,size={lim.work_mb}m",
                tmp: f"{tmpfs_opts},mode=1777,size={lim.tmp_mb}m",
            },
            mem_limit=f"{lim.memory_mb}m",
            memswap_limit=f"{lim.memory_mb}m",
            nano_cpus=int(lim.cpus * 1e9),
            pids_limit=pids,
            cap_drop=["ALL"],
            cap_add=["SETUID", "SETGID", "CHOWN", "DAC_OVERRIDE"],  # the harness's, gone once it has set the uids
            security_opt=["no-new-privileges", "seccomp=" + profile_text(lim.runtime)],
            shm_size=f"{lim.shm_mb}m",
            ipc_mode="private",
            ulimits=ulimits,
            log_config=LogConfig(type="none"),  # output reaches us over attach; nothing lands on the host's disk
            **extra,
        )

    def execute(self, sandbox: Sandbox, payload: bytes, *, deadline: float, stream_cap: int) -> Raw:
        """Send the payload, read until the container ends or a limit is hit, then remove it.

        Raises SendFailed when the payload did not get through (nothing ran); every socket operation
        has a deadline, and the container is removed whatever happens."""
        try:
            try:
                sandbox.sock.settimeout(max(0.1, min(SEND_SECONDS, deadline - time.monotonic())))
                sandbox.sock.sendall(str(len(payload)).encode() + b"\n" + payload)
            except OSError as exc:
                raise SendFailed(str(exc) or type(exc).__name__) from None
            out, err, timed_out, flooded = _read_stream(sandbox.sock, deadline=deadline, cap=stream_cap)
            if timed_out or flooded:
                sandbox.sock.close()  # never kill with the attach stream still being read
                self._kill(sandbox.id)
            exit_code, oom = self._finish(sandbox.id)
        finally:
            self.discard(sandbox)
        return Raw(out, err, exit_code, oom, timed_out, flooded)

    def _finish(self, cid: str) -> tuple[int | None, bool]:
        api = self.client.api
        try:
            exit_code = api.wait(cid, timeout=10)["StatusCode"]
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            self._kill(cid)
            exit_code = None
        try:
            oom = bool(api.inspect_container(cid)["State"]["OOMKilled"])
        except docker.errors.DockerException:
            oom = False
        return exit_code, oom

    def _kill(self, cid: str) -> None:
        with contextlib.suppress(docker.errors.DockerException):  # already gone
            self.client.api.kill(cid)

    def discard(self, sandbox: Sandbox) -> None:
        try:
            sandbox.sock.close()
        finally:
            try:
                self.client.api.remove_container(sandbox.id, force=True)
            except docker.errors.NotFound:
                pass
            except (docker.errors.DockerException, requests.exceptions.RequestException):
                pass  # the reaper removes it later (it carries our label)


def _raw_socket(obj: Any) -> socket.socket:
    sock = getattr(obj, "_sock", obj)
    assert isinstance(sock, socket.socket)
    return sock


def _read_stream(sock: socket.socket, *, deadline: float, cap: int) -> tuple[bytes, bytes, bool, bool]:
    """Demultiplex docker's attach stream (8-byte frame headers) until EOF, the deadline or the cap."""
    buffer = bytearray()
    out, err = bytearray(), bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return bytes(out), bytes(err), True, False
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return bytes(out), bytes(err), True, False
        except OSError:
            chunk = b""
        if not chunk:
            return bytes(out), bytes(err), False, False
        buffer += chunk
        while len(buffer) >= HEADER.size:
            kind, size = HEADER.unpack_from(buffer)
            if len(buffer) < HEADER.size + size:
                break
            data = bytes(buffer[HEADER.size : HEADER.size + size])
            del buffer[: HEADER.size + size]
            if kind == STDOUT:
                out += data
            elif kind == STDERR and len(err) < HARNESS_STDERR_CAP:
                err += data[: HARNESS_STDERR_CAP - len(err)]
        if len(out) > cap:
            return bytes(out[:cap]), bytes(err), False, True
