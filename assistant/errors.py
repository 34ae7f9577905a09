"""A small error hierarchy, mapped once to CLI exit codes and HTTP status codes."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose. ``message`` is shown to users (Chinese)."""

    code = "internal_error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(AssistantError):
    """The user's input cannot be answered as given (empty, too long, unknown province, bad JSON)."""

    code = "bad_input"
    exit_code = 2
    http_status = 400


class KnowledgeError(AssistantError):
    """The knowledge base is invalid; ``problems`` lists every error with file and unit id."""

    code = "knowledge_error"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class RetrievalError(AssistantError):
    """The index is missing, stale beyond repair, or its backend failed."""

    code = "retrieval_error"
    http_status = 503


class UpstreamError(AssistantError):
    """An LLM or embedding endpoint failed after retries."""

    code = "upstream_error"
    http_status = 502


class CitationError(AssistantError):
    """A citation names a unit that does not exist or quotes words the unit does not contain."""

    code = "citation_error"
