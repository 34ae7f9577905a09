"""For officers and trainers: rationale drafts (理由说明), .docx export, handouts and quizzes."""

from __future__ import annotations

from assistant.drafting.draft import Draft, DraftWriter, draft

__all__ = ["Draft", "DraftWriter", "draft"]
