"""Prompt files (prompts/*.md) and the blocks rendered into them: units with ids, the code's judgement.

Prompts are read from ``settings.prompts_dir`` at every use, so an edited prompt takes effect on the
next question. Placeholders are ``$name`` (string.Template), so JSON braces in a prompt need no escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from assistant.domain import FACTOR_NAMES, Assessment, Unit, Verdict
from assistant.errors import AssistantError

# Markers the prompts carry, so a fake endpoint (and a log reader) can tell the tasks apart.
FACTORS_TASK = "【任务：要素提取】"
ANSWER_TASK = "【任务：撰写回答】"
DRAFT_TASK = "【任务：改写理由说明】"
UNIT_BLOCK = re.compile(r'<unit id="(?P<id>[^"]+)"[^>]*>\n(?P<text>.*?)\n</unit>', re.S)


@dataclass(frozen=True)
class GivenUnit:
    """A unit as the model sees it: its id, title and (possibly masked) text."""

    id: str
    title: str
    text: str

    def render(self) -> str:
        title = self.title.replace('"', "＂")
        return f'<unit id="{self.id}" title="{title}">\n{self.text}\n</unit>'


class Prompts:
    """Reads and fills the prompt files of one folder."""

    def __init__(self, prompts_dir: Path) -> None:
        self.dir = prompts_dir

    def render(self, name: str, **values: str) -> str:
        """The file ``name``.md with ``$placeholders`` filled; unknown ones are left as written."""
        path = self.dir / f"{name}.md"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AssistantError(f"缺少提示词文件 {path}") from exc
        return Template(text).safe_substitute(values).strip()


def unit_title(unit: Unit, doc_title: str) -> str:
    """《文件名》条款 — how a unit is named to the model."""
    return f"《{doc_title}》{unit.label}"


def render_judgement(
    assessment: Assessment | None,
    headings: dict[str, str],
    outcomes: dict[str, str],
    factor_labels: dict[str, str],
    factor_values: dict[str, dict[str, str]],
) -> str:
    """The code's judgement in plain Chinese for the model to explain (never to change)."""
    if assessment is None:
        return "本问题是知识或程序问题，不需要对具体行为作出研判。"
    verdict = assessment.verdict
    lines = [f"研判结论（已由程序确定，不得改变）：{headings[str(verdict)]}"]
    if verdict is Verdict.TOLERABLE and assessment.outcome:
        lines.append(f"处理倾向：{outcomes[assessment.outcome]}")
    for red in assessment.red_lines:
        lines.append(f"触及红线：{red.name}（依据原话：“{red.evidence}”）")
    for red in assessment.hedged_red_lines:
        lines.append(f"未经查实的不利情况：{red.name}（“{red.evidence}”）")
    lines.append("六个方面：")
    for name in FACTOR_NAMES:
        value = assessment.factors.get(name)
        if value is None:
            continue
        shown = factor_values[name][value.value]
        evidence = f"——“{value.evidence}”" if value.evidence else ""
        lines.append(f"- {factor_labels.get(name, name)}：{shown}{evidence}")
    if assessment.reasons:
        lines.append("理由：" + "；".join(assessment.reasons))
    if assessment.follow_up:
        lines.append("尚需补充的事实：" + "；".join(assessment.follow_up))
    return "\n".join(lines)


def render_history(turns: list[str]) -> str:
    """Earlier user turns of the conversation, oldest first ("无" when there are none)."""
    if not turns:
        return "（无）"
    return "\n".join(f"{i}. {turn}" for i, turn in enumerate(turns, 1))
