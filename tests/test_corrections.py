"""Corrections over real HTTP: `facts` on POST /v1/ask and /v1/converse override the reading, count as
stated, are audited, say what changed, and never clear what the user's own words state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.audit import AuditLog
from assistant.pipeline import Assistant
from assistant.server import audit_path, create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
NEEDS_FACTS = "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻"
BRIBE = "村主任修村道时收了施工方两万块辛苦费"
ONE_MAN = "局长一个人拍板把项目给了他小舅子的公司"


@dataclass
class Service:
    url: str
    settings: Settings

    def post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(self.url + path, json=body, timeout=20)

    def ask(self, body: Any) -> dict[str, Any]:
        response = self.post("/v1/ask", body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def service(
    settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("corrections")})
    with running(create_app(own, assistant)) as url:
        yield Service(url, own)


def test_structured_answer_puts_conclusion_and_follow_ups_first(service: Service) -> None:
    out = service.ask({"question": NEEDS_FACTS})
    assert out["verdict"] == "needs_more_facts"
    assert out["conclusion"].startswith("还要看") and "仅供参考" in out["advisory"]
    first = out["follow_ups"][0]
    assert first["question"] == out["follow_up"][0]
    assert [a["label"] for a in first["answers"]][:2] == ["是集体研究的", "是个人决定的"]
    card = {f["factor"]: f for f in out["factor_card"]}
    assert list(card) == ["motive", "intent", "basis", "process", "consequence", "remedy"]
    assert card["motive"]["value"] == "public" and card["motive"]["words"] in NEEDS_FACTS
    assert card["motive"]["words"]  # the user's own words, as typed
    assert {c["value"] for c in card["process"]["choices"]} == {"collective", "unilateral", "unknown"}
    assert out["reasons"] and "corrections" not in out


def test_a_confirmed_fact_gives_the_verdict_says_what_changed_and_is_audited(service: Service) -> None:
    before = service.ask({"question": NEEDS_FACTS})
    tapped = before["follow_ups"][0]["answers"][0]["facts"]
    out = service.ask({"question": NEEDS_FACTS, "facts": tapped})
    assert out["verdict"] == "tolerable"
    assert out["changes"] == "根据您的更正：决策过程改为集体研究，研判由需补充事实变为可以容错。"
    assert out["answer"].startswith(out["changes"])
    assert out["corrections"] == [
        {"factor": "process", "value": "collective", "previous": "unknown", "words": "", "status": "applied"}
    ]
    process = next(f for f in out["factor_card"] if f["factor"] == "process")
    assert process["confirmed"] and process["value"] == "collective"
    assert out["factors"]["process"] == {
        "value": "collective",
        "evidence": "您确认：集体研究",
        "confirmed": True,
    }
    assert len({c["id"] for c in out["citations"]}) == len(out["citations"])
    rows = AuditLog(audit_path(service.settings)).corrections()
    assert rows[0].channel == "api" and rows[0].question == NEEDS_FACTS
    assert (rows[0].factor, rows[0].value, rows[0].status) == ("process", "collective", "applied")


def test_an_unfavourable_correction_turns_a_tolerable_answer(service: Service) -> None:
    told = NEEDS_FACTS + "，是班子集体研究决定的，事先没有明确禁止，事后及时补办了手续"
    assert service.ask({"question": told})["verdict"] == "tolerable"
    out = service.ask({"question": told, "facts": {"motive": "private"}})
    assert out["verdict"] != "tolerable"
    assert out["changes"].startswith("根据您的更正：动机改为谋私，研判由可以容错变为")


@pytest.mark.parametrize(
    ("question", "facts", "factor"),
    [
        (BRIBE, {"motive": "public"}, "motive"),
        (ONE_MAN, {"process": "collective", "motive": "public"}, "motive"),
    ],
)
def test_a_correction_never_clears_what_the_users_words_state(
    service: Service, question: str, facts: dict[str, str], factor: str
) -> None:
    out = service.ask({"question": question, "facts": facts})
    assert out["verdict"] == "not_tolerable"
    asked = next(c for c in out["corrections"] if c["factor"] == factor)
    assert asked["status"] == "asked" and asked["words"] in question
    assert "不一致" in out["changes"] and "需要核实" in out["changes"]
    assert "研判仍为不予容错" in out["changes"]
    assert not out["factors"][factor].get("confirmed")
    statuses = {r.status for r in AuditLog(audit_path(service.settings)).corrections(5)}
    assert "asked" in statuses


@pytest.mark.parametrize(
    "facts",
    [["motive"], {"motive": "nice"}, {"mood": "public"}, {"motive": 1}, "public"],
)
def test_bad_facts_are_clear_chinese_errors(service: Service, facts: Any) -> None:
    response = service.post("/v1/ask", {"question": NEEDS_FACTS, "facts": facts})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_input" and "facts" in error["message"]


def test_conversation_corrections_with_and_without_new_words(service: Service) -> None:
    cid = "correct-me-0001"
    first = service.post("/v1/converse", {"conversation_id": cid, "question": NEEDS_FACTS}).json()
    assert first["verdict"] == "needs_more_facts" and first["conversation"]["open"]
    # A follow-up answered by its button: confirmed values only, no new words.
    second = service.post("/v1/converse", {"conversation_id": cid, "facts": {"process": "collective"}}).json()
    assert second["verdict"] == "tolerable" and not second["conversation"]["open"]
    assert "研判由需补充事实变为可以容错" in second["changes"]
    # The verdict given, the factor card still corrects that story.
    third = service.post("/v1/converse", {"conversation_id": cid, "facts": {"process": "unilateral"}}).json()
    assert third["verdict"] != "tolerable" and "研判由可以容错变为" in third["changes"]
    assert "赶工期" in third["question"]
    # Nothing to correct in a fresh conversation: a clear error.
    lost = service.post("/v1/converse", {"conversation_id": "never-seen-01", "facts": {"motive": "public"}})
    assert lost.status_code == 400 and "请先描述" in lost.json()["error"]["message"]
    empty = service.post("/v1/converse", {"conversation_id": cid})
    assert empty.status_code == 400 and "question" in empty.json()["error"]["message"]


def test_state_made_before_corrections_is_upgraded(tmp_path: Path) -> None:
    import sqlite3

    from assistant.conversations import ConversationStore

    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE conversations (key TEXT PRIMARY KEY, turns TEXT NOT NULL, province TEXT,"
            " updated REAL NOT NULL)"
        )
        old.execute("INSERT INTO conversations VALUES ('web:a', '[\"修路没招标\"]', NULL, 100)")
    store = ConversationStore(path, 60)
    kept = store.history("web:a", now=110)
    assert kept is not None and kept.turns == ["修路没招标"] and kept.confirmed == {}
    assert store.begin("web:a", None, None, now=110, confirmed={"motive": "public"}).confirmed == {
        "motive": "public"
    }


def test_the_card_shows_the_words_as_the_user_typed_them(service: Service) -> None:
    typed = "我們鎮去年為了趕工期沒招標直接找了一家公司修路，能不能從輕"
    card = service.ask({"question": typed})["factor_card"]
    motive = next(f for f in card if f["factor"] == "motive")
    assert motive["words"] and motive["words"] in typed
