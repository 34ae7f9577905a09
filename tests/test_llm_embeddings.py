"""The OpenAI-compatible embedder against the fake /v1/embeddings, and an index rebuilt when the
embedder named by the settings changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedder import HashingEmbedder, OpenAICompatibleEmbedder, make_embedder
from assistant.errors import UpstreamError
from assistant.index import build_index, is_fresh, open_index
from assistant.retrieve import Retriever
from assistant.settings import Settings
from tests.conftest import free_port
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.integration


def test_embeddings_are_unit_vectors_in_input_order(fake: FakeOpenAI) -> None:
    embedder = OpenAICompatibleEmbedder(fake.base_url, "fake-embed", None, timeout=5)
    texts = [f"第{i}条 容错纠错" for i in range(70)]  # more than one batch of 64
    vectors = embedder.embed(texts)
    assert vectors.shape == (70, 64) and embedder.id == "openai-compatible:fake-embed"
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = embedder.embed([texts[3]])
    assert np.allclose(vectors[3], again[0], atol=1e-6)
    assert sum(r["path"] == "/v1/embeddings" for r in fake.requests) == 3


def test_an_unreachable_endpoint_is_an_upstream_error() -> None:
    embedder = OpenAICompatibleEmbedder(f"http://127.0.0.1:{free_port()}/v1", "m", None, timeout=2)
    with pytest.raises(UpstreamError):
        embedder.embed(["问责"])


def test_the_index_is_rebuilt_when_the_embedder_changes(fake: FakeOpenAI, tmp_path: Path) -> None:
    offline = Settings(data_dir=tmp_path / "data")
    first = build_index(offline)
    assert first["embedder"] == HashingEmbedder().id
    remote = offline.model_copy(update={"embedding_base_url": fake.base_url, "embedding_model": "fake-embed"})
    assert not is_fresh(remote, make_embedder(remote))
    second = build_index(remote)
    assert (
        second["embedder"] == "openai-compatible:fake-embed" and second["collection"] != first["collection"]
    )
    assert is_fresh(remote, make_embedder(remote)) and not is_fresh(offline, HashingEmbedder())
    index = open_index(remote, build_if_stale=False)
    hits = Retriever.from_index(index, remote.knowledge_dir).search("三个区分开来", 5).hits
    assert hits and any(h.unit.doc_id == "three-distinctions-2016" for h in hits)
