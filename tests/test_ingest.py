"""`assistant ingest`: a measure as .docx, .pdf, .txt or .md becomes units of the base with the ids of
the knowledge spec; bad input gets a Chinese message and leaves the base and the index as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assistant.ingest.document import Metadata
from assistant.ingest.extract import IngestError
from assistant.ingest.store import Prepared, add, prepare
from assistant.knowledge import load_knowledge
from assistant.settings import PROJECT_ROOT, Settings
from tests.console import cli
from tests.ingest_files import MIANYANG_TITLE, docx_bytes, mianyang_paragraphs, pdf_bytes, scanned_pdf_bytes

MIANYANG = "mianyang-tolerance-2018"

# A city measure of a province the base has no document for, written for these tests in the shape
# such measures have: chapters, a list of tolerable situations and a list of exclusions.
HUNAN_MEASURE = [
    "某市容错纠错实施办法（试行）",
    "第一章 总则",
    "第一条 为激励干部新时代新担当新作为，结合本市实际，制定本办法。",
    "第二章 容错情形",
    "第二条 干部在工作中出现失误错误，有下列情形之一的，可以容错：",
    "（一）在招商引资中因国家政策调整，项目未达到预期效果的；",
    "（二）在防汛抢险中紧急情况下临机处置，事后及时报告的。",
    "第三章 不予容错情形",
    "第三条 有下列情形之一的，不予容错：",
    "（一）为个人、他人或者单位谋取私利的；",
    "（二）上级明令禁止后仍然我行我素的。",
    "第四章 附则",
    "第四条 本办法自印发之日起施行。",
]


def _meta(doc_id: str = "mianyang-roundtrip-2018", jurisdiction: str = "四川", **more: str) -> Metadata:
    return Metadata(doc_id=doc_id, title=MIANYANG_TITLE, jurisdiction=jurisdiction, type="regulation", **more)


def _units(yaml_text: str) -> list[tuple[str, str, str]]:
    return [(str(u["id"]), u["label"], u["text"]) for u in yaml.safe_load(yaml_text)["units"]]


@pytest.fixture(scope="module")
def own_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("ingest-data"))


@pytest.fixture(scope="module")
def curated() -> list[tuple[str, str, str]]:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    return [(u.local_id, u.label, u.text) for u in kb if u.doc_id == MIANYANG]


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".txt", ".md"])
def test_a_real_measure_round_trips_to_its_curated_units(
    suffix: str, shared_dir: Path, own_settings: Settings, curated: list[tuple[str, str, str]]
) -> None:
    paragraphs = mianyang_paragraphs(shared_dir)
    data = {
        ".docx": lambda: docx_bytes(paragraphs),
        ".pdf": lambda: pdf_bytes(paragraphs),
        ".txt": lambda: "\n\n".join(paragraphs).encode("utf-8"),
        ".md": lambda: ("# " + "\n\n".join(paragraphs)).replace("第一章 总 则", "## 第一章 总 则").encode(),
    }[suffix]()
    prepared = prepare("绵阳办法" + suffix, data, _meta(), own_settings)
    assert curated and _units(prepared.yaml_text) == curated
    # The review table shows every unit with its label and first words.
    for unit_id, label, _text in curated:
        assert f"mianyang-roundtrip-2018:{unit_id}\t{label}\t" in prepared.table
    assert "4.1\t第四条第（一）项\t—\t全市各级党的机关" in prepared.table


def test_a_pdf_wrapped_at_other_widths_gives_the_same_units(
    shared_dir: Path, own_settings: Settings, curated: list[tuple[str, str, str]]
) -> None:
    for width in (17, 41):
        data = pdf_bytes(mianyang_paragraphs(shared_dir), chars_per_line=width, lines_per_page=12)
        assert _units(prepare("m.pdf", data, _meta(), own_settings).yaml_text) == curated


def test_structure_chapters_tags_items_and_outlines(own_settings: Settings) -> None:
    prepared = prepare("办法.docx", docx_bytes(HUNAN_MEASURE), _meta("hunan-city-2024", "湖南"), own_settings)
    units = {str(u["id"]): u for u in yaml.safe_load(prepared.yaml_text)["units"]}
    assert list(units) == ["1", "2", "2.1", "2.2", "3", "3.1", "3.2", "4"]
    assert units["2"]["tags"] == ["situations"] and units["2.1"]["tags"] == ["situations"]
    assert units["3"]["tags"] == ["exclusions"] and units["3.2"]["text"] == "上级明令禁止后仍然我行我素的。"
    assert "tags" not in units["1"] and "tags" not in units["4"]
    assert units["3.1"]["label"] == "第三条第（一）项" and units["2"]["heading"] == "容错情形"
    assert "第二章" not in prepared.yaml_text.split("units:")[1]  # chapter headings are context, not text

    outline = [
        "关于某事的意见",
        "一、总体要求",
        "坚持实事求是。",
        "二、不予容错情形",
        "（一）谋取私利的。",
        "1.收受财物的；",
    ]
    doc = yaml.safe_load(
        prepare("o.txt", "\n".join(outline).encode(), _meta("o-2020", "全国"), own_settings).yaml_text
    )
    ids = {str(u["id"]): u for u in doc["units"]}
    assert list(ids) == ["1", "2", "2.1", "2.1.1"]
    assert ids["2.1.1"]["tags"] == ["exclusions"] and ids["2"]["text"].endswith("1.收受财物的；")

    article = [
        "第十七条 有下列情形之一的，可以免予问责：",
        "（一）甲；",
        "（二）乙。",
        "前款规定以外的，依照有关规定处理。",
    ]
    doc = yaml.safe_load(
        prepare("a.txt", "\n".join(article).encode(), _meta("a-2020", "全国"), own_settings).yaml_text
    )
    assert [(str(u["id"]), u["label"]) for u in doc["units"]] == [
        ("17", "第十七条"),
        ("17.1", "第十七条第一款第（一）项"),
        ("17.2", "第十七条第一款第（二）项"),
        ("17.p2", "第十七条第二款"),
    ]


def _ingest_error(
    own_settings: Settings, name: str, data: bytes, meta: Metadata | None = None
) -> IngestError:
    with pytest.raises(IngestError) as caught:
        prepare(name, data, meta or _meta(), own_settings)
    return caught.value


def test_bad_input_gets_a_clear_chinese_message(own_settings: Settings, shared_dir: Path) -> None:
    good = docx_bytes(mianyang_paragraphs(shared_dir))
    scanned = _ingest_error(own_settings, "scan.pdf", scanned_pdf_bytes())
    assert "扫描件" in scanned.message and "文字层" in scanned.message
    flat = _ingest_error(own_settings, "notes.txt", "会议纪要。\n大家讨论了容错纠错。\n".encode())
    assert "未识别出文件结构" in flat.message and "--paragraphs" in flat.message
    assert flat.found == ["第1段：会议纪要。", "第2段：大家讨论了容错纠错。"]
    taken = _ingest_error(own_settings, "m.docx", good, _meta("ccp-accountability-2019", "全国"))
    assert "已被项目自带的文件使用" in taken.message
    assert "未知的适用地区" in _ingest_error(own_settings, "m.docx", good, _meta(jurisdiction="火星")).message
    assert "不合规范" in _ingest_error(own_settings, "m.docx", good, _meta(doc_id="Mianyang")).message
    assert "损坏" in _ingest_error(own_settings, "m.docx", good[: len(good) // 2]).message
    assert "不支持的文件类型" in _ingest_error(own_settings, "m.doc", good).message
    assert "无法读取 PDF" in _ingest_error(own_settings, "m.pdf", b"%PDF-1.4\n" + good[:2000]).message
    assert "没有文字" in _ingest_error(own_settings, "e.txt", "第一条\n第二条 有文字。".encode()).message
    assert "编码" in _ingest_error(own_settings, "m.txt", bytes(range(128, 256)) * 4).message
    small = own_settings.model_copy(update={"ingest_max_bytes": 1000})
    assert "文件过大" in _ingest_error(small, "m.docx", good).message
    twice = "\n".join(HUNAN_MEASURE + ["附件", "第一条 附件的条文。"]).encode()
    assert "编号重复" in _ingest_error(own_settings, "h.txt", twice).message
    # Paragraphs as units, when the officer chooses them.
    chosen = prepare(
        "notes.txt",
        "会议纪要。\n大家讨论了容错纠错。\n".encode(),
        _meta("notes-2020", "全国"),
        own_settings,
        True,
    )
    assert [u[0] for u in _units(chosen.yaml_text)] == ["p1", "p2"]


def test_a_failed_check_leaves_the_base_and_index_as_they_were(tmp_path: Path) -> None:
    from assistant.index import build_index, read_manifest

    settings = Settings(data_dir=tmp_path)
    before = build_index(settings)
    broken = Prepared(
        doc_id="broken-2020",
        title="t",
        jurisdiction="全国",
        yaml_text="id: broken-2020\ntitle: t\nunits:\n  - id: '5.1'\n",  # fields missing: the check fails
        source_text="x\n",
        table="",
        rows=[],
    )
    with pytest.raises(IngestError) as caught:
        add(broken, settings, lambda: build_index(settings))
    assert "已撤销" in caught.value.message
    assert not list((settings.local_knowledge_dir / "docs").glob("*")) and not list(
        (settings.local_knowledge_dir / "sources").glob("*")
    )
    assert read_manifest(settings) == before


@pytest.mark.integration
def test_ingest_then_a_question_from_that_province_cites_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    measure = tmp_path / "某市容错纠错实施办法.docx"
    measure.write_bytes(docx_bytes(HUNAN_MEASURE))
    question = ["ask", "本地对不予容错的情形是怎么规定的？", "--province", "湖南", "--json"]
    ingest = [
        "ingest",
        str(measure),
        "--doc-id",
        "hunan-city-2024",
        "--title",
        "某市容错纠错实施办法（试行）",
    ]
    ingest += ["--jurisdiction", "湖南省", "--type", "regulation", "--date", "2024-03-01"]

    dry = cli([*ingest, "--dry-run"], data_dir, timeout=300)
    assert dry.returncode == 0, dry.stderr
    assert "hunan-city-2024:3.2\t第三条第（二）项\t不予容错\t上级明令禁止后仍然我行我素的。" in dry.stdout
    assert not (data_dir / "knowledge" / "docs").exists()

    added = cli(ingest, data_dir, timeout=300)
    assert added.returncode == 0, added.stderr
    assert (data_dir / "knowledge" / "docs" / "hunan-city-2024.yaml").is_file()
    manifest = json.loads((data_dir / "index" / "current" / "manifest.json").read_text(encoding="utf-8"))
    answer = json.loads(cli(question, data_dir, timeout=300).stdout)
    cited = [c["id"] for c in answer["citations"]]
    assert cited[0].startswith("hunan-city-2024:3"), cited  # the province's own document first

    check = cli(["check"], data_dir, timeout=300)
    assert (
        check.returncode == 0
        and "湖南：" in check.stdout
        and "某市容错纠错实施办法（试行）》8 个单元" in check.stdout
    )

    # Bad input: a clear message, exit 2, and the base and the index stay as they were.
    again = cli(ingest, data_dir, timeout=300)
    assert again.returncode == 2 and "已存在" in again.stderr and "Traceback" not in again.stderr
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf_bytes())
    scanned = cli(["ingest", str(scan), *ingest[2:]], data_dir, timeout=300)
    assert scanned.returncode == 2 and "扫描件" in scanned.stderr
    assert (
        json.loads((data_dir / "index" / "current" / "manifest.json").read_text(encoding="utf-8")) == manifest
    )
    assert json.loads(cli(question, data_dir, timeout=300).stdout)["citations"][0]["id"] == cited[0]

    removed = cli(["remove", "hunan-city-2024"], data_dir, timeout=300)
    assert removed.returncode == 0, removed.stderr
    after = json.loads(cli(question, data_dir, timeout=300).stdout)
    assert not any(c["doc_id"] == "hunan-city-2024" for c in after["citations"])


def test_a_measure_is_corrected_by_importing_it_again_with_replace(tmp_path: Path) -> None:
    from assistant.index import build_index

    settings = Settings(data_dir=tmp_path)
    rebuild = lambda: build_index(settings)  # noqa: E731
    meta = _meta("hunan-city-2024", "湖南")
    add(prepare("h.docx", docx_bytes(HUNAN_MEASURE), meta, settings), settings, rebuild)
    with pytest.raises(IngestError, match="--replace"):
        prepare("h.docx", docx_bytes(HUNAN_MEASURE), meta, settings)
    corrected = [p.replace("结合本市实际", "结合本市工作实际") for p in HUNAN_MEASURE]
    manifest = add(prepare("h.docx", docx_bytes(corrected), meta, settings, replace=True), settings, rebuild)
    kb = load_knowledge(settings.knowledge_dir, settings.local_knowledge_dir)
    assert "结合本市工作实际" in kb.units["hunan-city-2024:1"].text
    assert manifest["knowledge_version"] == kb.version
    with pytest.raises(IngestError, match="没有可替换的文件"):
        prepare("h.docx", docx_bytes(corrected), _meta("other-2024", "湖南"), settings, replace=True)


def test_a_judgement_cites_the_provinces_own_situations_and_exclusions(tmp_path: Path) -> None:
    """The tags of an ingested measure let a judgement for that province cite its own list: an exclusion
    for a story that is not tolerable, a tolerable situation for one that is; never another province's."""
    from assistant.index import build_index
    from assistant.pipeline import Assistant

    settings = Settings(data_dir=tmp_path)
    meta = _meta("hunan-city-2024", "湖南")
    add(prepare("h.docx", docx_bytes(HUNAN_MEASURE), meta, settings), settings, lambda: build_index(settings))
    assistant = Assistant(settings)
    bribe = "村支书修路时收了施工方两万块好处费，能容错吗"
    refused = assistant.ask(bribe, "湖南")
    assert refused.verdict.value == "not_tolerable"
    assert refused.citations[0].id == "hunan-city-2024:3.1", [c.id for c in refused.citations]
    assert refused.citations[0].quote == "为个人、他人或者单位谋取私利的；"
    story = "我在招商引资中因为国家政策调整，项目没达到预期，是班子集体研究决定的，没有谋取私利，能容错吗"
    tolerated = assistant.ask(story, "湖南")
    assert tolerated.verdict.value == "tolerable"
    assert tolerated.citations[0].id == "hunan-city-2024:2.1", [c.id for c in tolerated.citations]
    elsewhere = assistant.ask(bribe, "浙江")
    assert not any(c.doc_id == "hunan-city-2024" for c in elsewhere.citations)
