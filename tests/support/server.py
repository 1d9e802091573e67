"""A real Perks server in a child process, for end-to-end and multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TEST_SECRET = "test-secret-key-for-perks-tests-only"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def server_env(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PERKS_DATABASE_URL": database_url,
            "PERKS_SECRET_KEY": TEST_SECRET,
            "PERKS_RATE_LIMIT_ENABLED": "false",
            "PERKS_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra or {})
    return env


@contextmanager
def live_server(
    database_url: str,
    workdir: Path,
    *,
    args: tuple[str, ...] = ("--no-migrate",),
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Iterator[LiveServer]:
    port = free_port()
    output = workdir / f"server-{port}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "perks", "serve", "--port", str(port), *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=server_env(database_url, env),
            cwd=workdir,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, output)
    try:
        wait_until_ready(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not start in {timeout}s:\n{server.log()}")
