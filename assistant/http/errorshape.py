"""The one shape of every JSON error the service sends: the contract's ``{"error": {"code", "message"}}``,
extended with OpenAI's ``type`` and ``param``, so that OpenAI clients read our errors as theirs."""

from __future__ import annotations

from typing import Any


def error_type(status: int) -> str:
    """OpenAI's error ``type`` for an HTTP status."""
    if status in (401, 403):
        return "authentication_error"
    if status == 429:
        return "rate_limit_error"
    return "invalid_request_error" if status < 500 else "server_error"


def error_body(status: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    """``{"error": {"message", "type", "param", "code"}}``; ``param`` names the request field at fault."""
    return {"error": {"message": message, "type": error_type(status), "param": param, "code": code}}
