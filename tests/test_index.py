"""The index: built aside and swapped in, rebuilt when knowledge/ changes, embedded or a Chroma server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.embedder import HashingEmbedder
from assistant.index import build_index, is_fresh, open_index
from assistant.retrieve import Retriever
from assistant.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port


@pytest.fixture()
def own_knowledge(tmp_path: Path) -> Settings:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)


def test_build_is_swapped_in_and_rebuilt_on_change(own_knowledge: Settings) -> None:
    first = build_index(own_knowledge)
    current = own_knowledge.index_dir / "current"
    first_folder = current.resolve()
    assert current.is_symlink() and (current / "manifest.json").exists()
    assert build_index(own_knowledge)["built_at"] == first["built_at"]  # fresh: nothing rebuilt
    doc = own_knowledge.knowledge_dir / "docs" / "three-distinctions-2016.yaml"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("先行先试中的失误错误", "先行先试中的失误错误（改）"),
        encoding="utf-8",
    )
    assert not is_fresh(own_knowledge, HashingEmbedder())
    second = build_index(own_knowledge)
    assert second["knowledge_hash"] != first["knowledge_hash"]
    assert current.resolve() != first_folder and first_folder.exists()
    builds = list((own_knowledge.index_dir / "builds").iterdir())
    assert len(builds) <= 2  # the new build and the previous one, kept for readers mid-swap


def test_a_crashed_build_leaves_the_old_index_serving(
    own_knowledge: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_index(own_knowledge)
    before = (own_knowledge.index_dir / "current").resolve()
    doc = own_knowledge.knowledge_dir / "docs" / "three-distinctions-2016.yaml"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("assistant.lexical.LexicalIndex.save", boom)
    with pytest.raises(RuntimeError):
        build_index(own_knowledge)
    assert (own_knowledge.index_dir / "current").resolve() == before
    assert ((own_knowledge.index_dir / "current") / "manifest.json").exists()


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists():
        binary = Path(shutil.which("chroma") or "chroma")
    proc = subprocess.Popen(
        [
            str(binary),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("chroma server did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.integration
def test_chroma_server_mode(tmp_path: Path, chroma_server: int) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server)
    manifest = build_index(settings)
    assert manifest["backend"] == f"server:127.0.0.1:{chroma_server}"
    index = open_index(settings, build_if_stale=False)
    assert index.vectors.count() == manifest["units"]
    hits = Retriever.from_index(index, settings.knowledge_dir).search("先行先试出现失误", k=5).hits
    assert any(h.unit.id.startswith("three-distinctions-2016") for h in hits)


@pytest.mark.integration
def test_server_rebuilds_write_a_new_collection_and_drop_superseded_ones(
    tmp_path: Path, chroma_server: int
) -> None:
    import chromadb

    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server)
    first = build_index(settings)["collection"]
    second = build_index(settings, force=True)["collection"]
    assert second != first  # the served collection is never rewritten in place
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    names = {getattr(c, "name", c) for c in client.list_collections()}
    assert {first, second} <= names  # the previous one stays for readers mid-swap
    third = build_index(settings, force=True)["collection"]
    names = {getattr(c, "name", c) for c in client.list_collections()}
    assert first not in names and {second, third} <= names
    assert open_index(settings, build_if_stale=False).vectors.count() > 100


def test_a_build_that_cannot_serve_is_never_swapped_in_and_is_reported(own_knowledge: Settings) -> None:
    from assistant.errors import KnowledgeError
    from assistant.http.holder import open_assistant
    from assistant.index import open_build, read_failure

    build_index(own_knowledge)
    before = (own_knowledge.index_dir / "current").resolve()
    # Rules that parse but do not load (the intent rules lose their keys).
    (own_knowledge.knowledge_dir / "rules" / "intents.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        build_index(own_knowledge, validate=lambda folder: open_assistant(own_knowledge, folder))
    assert "KeyError" in caught.value.problems[0]
    assert (own_knowledge.index_dir / "current").resolve() == before
    assert len(list((own_knowledge.index_dir / "builds").iterdir())) == 1  # the failed build is gone
    failure = read_failure(own_knowledge)
    assert failure is not None and failure["problems"] == caught.value.problems
    # The current build still opens, from its own snapshot of the knowledge it was built from.
    index = open_build(own_knowledge)
    assert index.knowledge_dir is not None and index.knowledge_dir.is_relative_to(before)
    assert open_assistant(own_knowledge).ask("三个区分开来具体是哪三个？").citations
