"""Shared fixtures. Unit tests never open a network connection beyond loopback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and not (host.startswith("127.") or host in ("localhost", "::1"))
        and self.family
        in (
            socket.AF_INET,
            socket.AF_INET6,
        )
    ):
        raise OSError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def assistant(settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.pipeline import Assistant

    return Assistant(settings)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}); source checks run in CI where it exists")
    return SHARED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[Any]:
    """A local OpenAI-compatible server (tests/fakes/openai_server.py), one per test module."""
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake(fake_openai: Any) -> Any:
    """The module's fake server with its script and request log cleared for this test."""
    fake_openai.clear()
    return fake_openai


@pytest.fixture(scope="module")
def llm(assistant: Any, fake_openai: Any) -> Any:
    """The session's assistant switched to LLM mode against the module's fake server."""
    from tests.llm_support import llm_assistant

    return llm_assistant(assistant, fake_openai)
