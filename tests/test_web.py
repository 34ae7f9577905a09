"""The web chat page end to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
a two-turn conversation, verdict badges, expandable citations, copy buttons, 重新开始, phone width,
the token prompt, and no request leaving 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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


def _ask(page: Any, text: str, count: int) -> Any:
    page.fill("#question", text)
    page.click("#send")
    page.wait_for_selector(f"article.msg.bot >> nth={count - 1}", timeout=20000)
    return page.locator("article.msg.bot").nth(count - 1)


def test_two_turn_chat_with_citations_and_copy(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path / "state"})
    with running(create_app(own, assistant)) as url:
        page = page_for(url)
        assert page.title() == "三个区分开来 · 容错纠错政策助手"
        first = _ask(page, NEEDS_FACTS, 1)
        assert first.locator(".badge").inner_text() == "需补充事实"
        assert "请补充" in first.locator(".answer").inner_text()

        second = _ask(page, THE_FACTS, 2)
        assert second.locator(".badge").inner_text() == "可以容错"
        assert "赶工期" in second.locator(".answer").inner_text()  # the first turn's facts count

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
        assert copied.startswith("【初步研判】可以容错") and "引用：\n[1]" in copied
        second.locator(".copy-rationale").click()
        assert page.evaluate("navigator.clipboard.readText()").startswith("二、理由")

        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=str(tmp_path / "web-chat.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(tmp_path / "web-chat-phone.png"))

        page.click("#reset")
        page.wait_for_function("document.querySelectorAll('article.msg.bot').length === 0")
        fresh = _ask(page, THE_FACTS, 1)
        assert "赶工期" not in fresh.locator(".answer").inner_text()
        assert page.outside == [] and page.errors == []


def test_token_prompt_when_auth_is_on(
    settings: Settings, assistant: Assistant, tmp_path: Path, page_for: Any
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path / "state", "api_token": TOKEN})
    with running(create_app(own, assistant)) as url:
        page = page_for(url)
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
