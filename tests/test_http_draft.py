"""POST /v1/draft over real HTTP: the rationale as JSON and as a .docx, and JSON errors for bad input."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from docx import Document

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
FACTS = "为了赶汛期没走政府采购就先找人修了闸门，经局党委集体研究，事后及时补办了采购手续，没有造成损失"


@pytest.fixture(scope="module")
def base_url(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("draft-state")})
    with running(create_app(own, assistant)) as url:
        yield url


def test_text_draft(base_url: str) -> None:
    body = httpx.post(base_url + "/v1/draft", json={"facts": FACTS}).json()
    assert (
        body["text"] and body["citations"] and body["proposal"] in ("exempt", "mitigate", "needs_more_facts")
    )


def test_docx_draft(base_url: str) -> None:
    response = httpx.post(base_url + "/v1/draft", json={"facts": FACTS, "province": "浙江", "format": "docx"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "rationale.docx" in response.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "附件" in text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"facts": ""},
        {"facts": 3},
        {"facts": FACTS, "format": "pdf"},
        {"facts": FACTS, "province": "火星"},
        {"facts": "今天天气怎么样"},
    ],
)
def test_bad_draft_requests(base_url: str, body: dict[str, object]) -> None:
    response = httpx.post(base_url + "/v1/draft", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_input"
