"""`assistant serve` as a subprocess on a free loopback port, and what the soak reads of its processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class Server:
    """One `assistant serve` with its own data dir and environment."""

    def __init__(self, data_dir: Path, workers: int, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.env = {
            **os.environ,
            "ASSISTANT_DATA_DIR": str(data_dir),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **(env or {}),
        }
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> Server:
        cmd = [sys.executable, "-m", "assistant", "serve", "--host", LOOPBACK, "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {self.proc.returncode}")
            if len(self.worker_pids(2.0)) >= self.workers:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start in time")

    def worker_pids(self, within: float = 5.0) -> set[int]:
        """The worker pids seen answering /healthz (every worker once seen, or the time is up)."""
        pids: set[int] = set()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and len(pids) < self.workers:
            try:
                pids.add(
                    int(httpx.get(self.url + "/healthz", timeout=2, trust_env=False).json()["worker_pid"])
                )
            except (httpx.HTTPError, ValueError, KeyError):
                time.sleep(0.1)
        return pids

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    return _status(pid, "VmRSS") / 1024


def threads(pid: int) -> int:
    """Threads of a process."""
    return _status(pid, "Threads")


def sockets_to(pids: set[int], port: int) -> int:
    """Established TCP connections the processes hold to ``port`` on loopback (from /proc)."""
    inodes: set[str] = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir() if fd_dir.exists() else []:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == "01" and remote_port == port and fields[9] in inodes:
                count += 1
    return count
