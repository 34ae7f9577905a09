"""The web chat page end to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
a two-turn conversation, verdict badges, expandable citations, copy buttons, 重新开始, phone width,
the token prompt, and no request leaving 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from tests.serving import running

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What this machine needs: no sandbox as root, no GPU, and no background calls to Google's hosts.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NEEDS_FACTS = "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻"
THE_FACTS = "是班子集体研究决定的，事先没有明确禁止，事后及时补办了手续"
TOKEN = "web-token-42"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ASSISTANT_REQUIRE_BROWSER"):
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}: run `make test` as root (apt-get install chromium)"
            )
        pytest.skip("Chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Playwright gives every launch a new empty profile (user data dir) of its own.
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, chromium_sandbox=False)
        yield browser
        browser.close()


@pytest.fixture()
def page_for(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(base_url: str) -> Any:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            permissions=["clipboard-read", "clipboard-write"],
            locale="zh-CN",
        )
        contexts.append(context)
        page = context.new_page()
        page.outside = []
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))

        def guard(route: Any) -> None:
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                page.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(base_url + "/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@contextmanager
def _served_page(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any, **update: Any
) -> Iterator[Any]:
    """The chat page of an app served with a data dir of its own (and any other settings given)."""
    own = settings.model_copy(update={"data_dir": tmp_path / "state", **update})
    with running(create_app(own, assistant)) as url:
        yield page_for(url)


def _ask(page: Any, text: str, count: int) -> Any:
    page.fill("#question", text)
    page.click("#send")
    page.wait_for_selector(f"article.msg.bot >> nth={count - 1}", timeout=20000)
    return page.locator("article.msg.bot").nth(count - 1)


def test_two_turn_chat_with_citations_and_copy(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    with _served_page(settings, assistant, tmp_path, page_for) as page:
        assert page.title() == "三个区分开来 · 容错纠错政策助手"
        first = _ask(page, NEEDS_FACTS, 1)
        assert first.locator(".badge").inner_text() == "需补充事实"
        assert "这件事是集体研究决定" in first.locator(".follow-ups").inner_text()

        second = _ask(page, THE_FACTS, 2)
        assert second.locator(".badge").inner_text() == "可以容错"
        assert "赶工期" in second.locator(".card").inner_text()  # the first turn's facts count

        citation = second.locator(".citations li").first
        citation.locator("summary").click()
        citation.locator(".clause .full").wait_for(timeout=10000)
        assert citation.locator("blockquote").inner_text()
        page.wait_for_function(
            "el => el.textContent.startsWith('条文全文：')", arg=citation.locator(".full").element_handle()
        )
        assert "来源：" in citation.locator(".source").inner_text()

        second.locator(".copy-answer").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("【可以容错】能容错") and "引用：\n[1]" in copied
        quote = citation.locator("blockquote").inner_text()
        assert copied.count(quote) == 1  # the structured answer: each quote once
        second.locator(".copy-rationale").click()
        assert page.evaluate("navigator.clipboard.readText()").startswith("理由：")

        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=str(tmp_path / "web-chat.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(tmp_path / "web-chat-phone.png"))

        page.click("#reset")
        page.wait_for_function("document.querySelectorAll('article.msg.bot').length === 0")
        fresh = _ask(page, THE_FACTS, 1)
        assert "赶工期" not in fresh.inner_text()
        assert page.outside == [] and page.errors == []


def test_token_prompt_when_auth_is_on(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    with _served_page(settings, assistant, tmp_path, page_for, api_token=TOKEN) as page:
        page.wait_for_selector("#token-bar:not([hidden])")
        page.fill("#question", "三个区分开来具体是哪三个？")
        page.click("#send")
        page.wait_for_selector(".msg.error")
        assert "令牌" in page.locator(".msg.error").inner_text()
        page.fill("#token", TOKEN)
        page.click("#save-token")
        answer = _ask(page, "三个区分开来具体是哪三个？", 1)
        assert answer.locator(".badge").inner_text() == "知识问答"
        assert page.evaluate("localStorage.getItem('assistant-token')") == TOKEN
        assert page.outside == []


# -- the answer as a cadre reads it on a phone (issue 14) -------------------------------------------
STORY_60 = "去年我们镇为了赶工期，没有走招标程序就直接找了一家本地公司修了三公里村道，现在被审计查出来了，请问这种情况能不能从轻？"
TOLD_IN_FULL = NEEDS_FACTS + "。" + THE_FACTS
ARTEFACTS = Path(
    os.environ.get("ASSISTANT_ARTEFACTS_DIR") or Path(__file__).resolve().parent.parent / "artefacts"
)
# Everything a reader sees or taps; none may cover another (the toast is transient and excluded).
VISIBLE = (
    "h1, .sub, .msg.intro p, .msg.user, .msg.error, .badge, .conclusion, .advisory, .changes, .prose,"
    " .msg h2, .follow-ups .q, .choices button, .factor .label, .factor .value, .factor .words, .factor .tag,"
    " .picker button, .reasons li, .citations summary, .clause .more, .actions button, .details-line summary,"
    " #hint,"
    " #question, #province, #count, #reset, #send"
)
_OVERLAPS = """(selector) => {
  const log = document.getElementById('log').getBoundingClientRect();
  const boxes = [];
  for (const node of document.querySelectorAll(selector)) {
    if (!node.getClientRects().length) continue;
    const r = node.getBoundingClientRect();
    let top = r.top, bottom = r.bottom;
    if (node.closest('#log')) { top = Math.max(top, log.top); bottom = Math.min(bottom, log.bottom); }
    if (r.width < 1 || bottom - top < 1) continue;
    boxes.push([node, {left: r.left, right: r.right, top, bottom}]);
  }
  const name = (n) => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + '.' + n.className + ' "'
    + (n.textContent || '').trim().slice(0, 12) + '"';
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) found.push(name(a) + ' × ' + name(b));
    }
  }
  return found;
}"""
_IN_VIEW = """(node) => {
  const log = document.getElementById('log').getBoundingClientRect();
  const r = node.getBoundingClientRect();
  return r.height > 0 && r.top >= log.top - 0.5 && r.bottom <= log.bottom + 0.5 && r.bottom <= innerHeight;
}"""


def _overlaps(page: Any) -> list[str]:
    return list(page.evaluate(_OVERLAPS, VISIBLE))


def _in_view(locator: Any) -> bool:
    return bool(locator.evaluate(_IN_VIEW))


def _shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def _await_answer(page: Any, count: int) -> Any:
    page.wait_for_selector(f"article.msg.bot >> nth={count - 1}", timeout=20000)
    return page.locator("article.msg.bot").nth(count - 1)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_follow_up_button_gives_the_verdict(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any, width: int
) -> None:
    with _served_page(settings, assistant, tmp_path, page_for) as page:
        page.set_viewport_size({"width": width, "height": 844})
        first = _ask(page, STORY_60, 1)
        assert first.locator(".badge").inner_text() == "需补充事实"
        conclusion = first.locator(".conclusion")
        assert conclusion.inner_text().startswith("还要看")
        assert "仅供参考" in first.locator(".advisory").inner_text()
        question = first.locator(".follow-ups .q").first
        button = first.locator(".follow-ups li").first.locator(".choices button").first
        # Without any scrolling by the reader: the conclusion and the first question with its answers.
        assert _in_view(conclusion) and _in_view(question) and _in_view(button)
        assert first.locator(".meta").is_hidden()  # mode and latency only in the details line
        assert _overlaps(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"needs-more-facts-{width}.png")

        assert button.inner_text() == "是集体研究的"
        button.click()
        second = _await_answer(page, 2)
        assert second.locator(".badge").inner_text() == "可以容错"
        assert second.locator(".changes").inner_text() == (
            "根据您的更正：决策过程改为集体研究，研判由需补充事实变为可以容错。"
        )
        assert "是集体研究的" in page.locator(".msg.user").nth(1).inner_text()
        process = second.locator(".factor[data-factor=process]")
        assert "集体研究" in process.inner_text() and "您已确认" in process.inner_text()
        # Each quote once: no quote of the citation list is printed anywhere else in the answer.
        quotes = second.locator(".citations blockquote").all_text_contents()
        text = second.evaluate("n => n.textContent")
        assert quotes and all(text.count(q) == quotes.count(q) for q in quotes)
        assert _in_view(second.locator(".conclusion"))
        assert _overlaps(page) == []
        _shot(page, f"follow-up-answered-{width}.png")
        assert page.outside == [] and page.errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_factor_correction_changes_the_verdict(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any, width: int
) -> None:
    with _served_page(settings, assistant, tmp_path, page_for) as page:
        page.set_viewport_size({"width": width, "height": 844})
        first = _ask(page, TOLD_IN_FULL, 1)
        assert first.locator(".badge").inner_text() == "可以容错"
        motive = first.locator(".factor[data-factor=motive]")
        assert "为公" in motive.inner_text() and "赶工期" in motive.inner_text()  # the user's words
        motive.click()
        picker = first.locator(".factor[data-factor=motive] + .picker")
        picker.wait_for()
        assert _overlaps(page) == []
        _shot(page, f"factor-picker-{width}.png")
        picker.locator("button[data-value=private]").click()
        second = _await_answer(page, 2)
        assert second.locator(".badge").inner_text() != "可以容错"
        changes = second.locator(".changes").inner_text()
        assert changes.startswith("根据您的更正：动机改为谋私，研判由可以容错变为")
        assert "谋私" in second.locator(".factor[data-factor=motive]").inner_text()
        assert _in_view(second.locator(".conclusion")) and _in_view(second.locator(".changes"))
        assert _overlaps(page) == []
        _shot(page, f"factor-corrected-{width}.png")
        assert page.outside == [] and page.errors == []


def test_the_composer_says_what_is_wrong_and_cuts_nothing(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path / "state"})
    with running(create_app(own, assistant)) as url:
        page = page_for(url)
        assert page.locator("link[rel=icon]").get_attribute("href") == "/web/favicon.svg"
        assert page.request.get(url + "/web/favicon.svg").status == 200

        page.click("#send")  # empty: the page's own message, not the browser's
        assert "请先输入" in page.locator("#hint").inner_text() and _in_view_page(page, "#hint")
        pasted = "修路没招标，" * 350  # 2,100 characters, pasted at once
        page.fill("#question", pasted)
        assert page.locator("#count").inner_text() == f"{len(pasted)}/2000"
        page.click("#send")
        hint = page.locator("#hint").inner_text()
        assert "问题过长" in hint and str(len(pasted)) in hint and _in_view_page(page, "#hint")
        assert page.input_value("#question") == pasted  # nothing cut
        assert page.locator("article.msg.bot").count() == 0  # nothing sent
        assert _overlaps(page) == []
        _shot(page, "too-long-390.png")

        page.fill("#question", pasted[:1990])
        assert page.locator("#hint").is_hidden()
        answer = _ask(page, NEEDS_FACTS, 1)
        page.locator("article.msg.bot").first.locator(".details-line summary").click()
        assert "毫秒" in answer.locator(".meta").inner_text()
        assert page.outside == [] and page.errors == []


def _in_view_page(page: Any, selector: str) -> bool:
    """Inside the window and not under (or over) anything else: the composer's own message."""
    return bool(
        page.locator(selector).evaluate(
            "n => { const r = n.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }"
        )
    )


def test_only_the_latest_answer_can_be_corrected_and_knowledge_shows_its_clauses(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    with _served_page(settings, assistant, tmp_path, page_for) as page:
        first = _ask(page, TOLD_IN_FULL, 1)
        assert first.locator(".factor[data-factor=motive]").is_enabled()
        second = _ask(page, "三个区分开来具体是哪三个？", 2)
        # The first answer's card would now correct another story: it is shown, no longer tappable.
        assert first.locator(".factor[data-factor=motive]").is_disabled()
        assert second.locator(".badge").inner_text() == "知识问答"
        quotes = second.locator(".citations blockquote")
        assert quotes.count() >= 3 and quotes.first.is_visible()  # the clauses, open
        assert second.locator(".clause .full").count() == 0  # whole texts only on request
        second.locator(".clause .more").first.click()
        second.locator(".clause .full").first.wait_for(timeout=10000)
        assert _overlaps(page) == []
        second.locator(".copy-answer").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        shown = quotes.all_text_contents()  # two sources may quote the same words: once per citation
        assert all(copied.count(q) == shown.count(q) for q in shown)
        _shot(page, "knowledge-390.png")
        assert page.outside == [] and page.errors == []
