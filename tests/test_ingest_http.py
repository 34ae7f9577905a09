"""The admin upload over real HTTP: review table, then confirm (added and served without a restart),
then remove; the admin lock-down; bad files get a Chinese message and the old index keeps serving."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.ingest_files import docx_bytes, scanned_pdf_bytes
from tests.serving import running
from tests.test_ingest import HUNAN_MEASURE

pytestmark = pytest.mark.integration
TOKEN = "ingest-test-token-5d1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = {"question": "本地对不予容错的情形是怎么规定的？", "province": "湖南"}


@contextmanager
def _app(settings: Settings, assistant: Assistant, data_dir: Path, **update: Any) -> Iterator[str]:
    own = settings.model_copy(update={"data_dir": data_dir, **update})
    with running(create_app(own, assistant)) as url:
        yield url


def _upload(name: str, data: bytes, **fields: Any) -> dict[str, Any]:
    body = {
        "filename": name,
        "content_base64": base64.b64encode(data).decode(),
        "doc_id": "hunan-city-2024",
        "title": "某市容错纠错实施办法（试行）",
        "jurisdiction": "湖南",
        "type": "regulation",
        "date": "2024-03-01",
    }
    return {**body, **fields}


def test_upload_review_confirm_then_answers_cite_it(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    with _app(settings, assistant, tmp_path, api_token=TOKEN) as url:
        client = httpx.Client(base_url=url, headers=AUTH, timeout=120)
        before = client.get("/healthz").json()["units"]
        reviewed = client.post("/v1/admin/ingest", json=_upload("办法.docx", docx_bytes(HUNAN_MEASURE)))
        assert reviewed.status_code == 200, reviewed.text
        review = reviewed.json()
        assert review["status"] == "review" and len(review["units"]) == 8
        assert {
            "id": "3.2",
            "label": "第三条第（二）项",
            "tag": "不予容错",
            "first_words": "上级明令禁止后仍然我行我素的。",
        } in review["units"]
        assert "hunan-city-2024:3.1\t第三条第（一）项\t不予容错" in review["table"]
        # Nothing is added before the confirmation.
        assert not (tmp_path / "knowledge" / "docs").exists()
        assert not any(
            c["doc_id"] == "hunan-city-2024"
            for c in client.post("/v1/ask", json=QUESTION).json()["citations"]
        )

        added = client.post("/v1/admin/ingest/confirm", json={"review_id": review["review_id"]})
        assert added.status_code == 200, added.text
        assert added.json()["status"] == "added" and added.json()["units"] == before + 8
        assert client.get("/healthz").json()["units"] == before + 8  # served without a restart
        cited = [c["id"] for c in client.post("/v1/ask", json=QUESTION).json()["citations"]]
        assert cited[0].startswith("hunan-city-2024:3"), cited
        again = client.post("/v1/admin/ingest/confirm", json={"review_id": review["review_id"]})
        assert again.status_code == 400 and "找不到待确认的导入" in again.json()["error"]["message"]

        # Bad files: a Chinese message, nothing changes, the index keeps serving.
        scanned = client.post(
            "/v1/admin/ingest", json=_upload("scan.pdf", scanned_pdf_bytes(), doc_id="scan-2024")
        )
        assert scanned.status_code == 400 and "扫描件" in scanned.json()["error"]["message"]
        flat = client.post(
            "/v1/admin/ingest", json=_upload("a.txt", "第一段。\n第二段。".encode(), doc_id="flat-2024")
        )
        assert flat.status_code == 400 and flat.json()["error"]["found"] == [
            "第1段：第一段。",
            "第2段：第二段。",
        ]
        duplicate = client.post("/v1/admin/ingest", json=_upload("办法.docx", docx_bytes(HUNAN_MEASURE)))
        assert duplicate.status_code == 400 and "已存在" in duplicate.json()["error"]["message"]
        broken = client.post("/v1/admin/ingest", json={**_upload("a.docx", b""), "content_base64": "%%%"})
        assert broken.status_code == 400 and "base64" in broken.json()["error"]["message"]
        assert client.get("/healthz").json()["units"] == before + 8

        removed = client.post("/v1/admin/ingest/remove", json={"doc_id": "hunan-city-2024"})
        assert removed.status_code == 200 and removed.json()["units"] == before
        assert not any(
            c["doc_id"] == "hunan-city-2024"
            for c in client.post("/v1/ask", json=QUESTION).json()["citations"]
        )


def test_upload_follows_the_admin_lock_down(settings: Settings, assistant: Assistant, tmp_path: Path) -> None:
    body = _upload("办法.docx", docx_bytes(HUNAN_MEASURE))
    with _app(settings, assistant, tmp_path / "a") as url:
        response = httpx.post(url + "/v1/admin/ingest", json=body)
        assert response.status_code == 403 and response.json()["error"]["code"] == "admin_disabled"
    with _app(settings, assistant, tmp_path / "b", api_token=TOKEN, ingest_max_bytes=4096) as url:
        assert httpx.post(url + "/v1/admin/ingest", json=body).status_code == 401
        form = httpx.post(
            url + "/v1/admin/ingest", content=b"{}", headers={**AUTH, "Content-Type": "text/plain"}
        )
        assert form.status_code == 415
        large = httpx.post(url + "/v1/admin/ingest", json=body, headers=AUTH)  # the .docx is over 4 KB
        assert large.status_code == 400 and "文件过大" in large.json()["error"]["message"]
        huge = _upload("办法.txt", "第一条 甲。".encode() * 20000)  # a body over the upload limit
        assert httpx.post(url + "/v1/admin/ingest", json=huge, headers=AUTH).status_code == 413
        assert httpx.post(url + "/v1/ask", json={"question": "x" * 70000}, headers=AUTH).status_code == 413
