"""The one settings class. Every environment variable the assistant reads is declared here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime settings, read from the environment (prefix ``ASSISTANT_``) and ``.env``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where indexes, logs and state live.")
    knowledge_dir: Path = Field(
        PROJECT_ROOT / "knowledge", description="The clause base and rules (knowledge/ of the project)."
    )
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Prompt files for LLM mode.")

    llm_base_url: str | None = Field(None, description="OpenAI-compatible chat endpoint; unset = offline.")
    llm_model: str | None = Field(None, description="Chat model name at that endpoint.")
    llm_api_key: str | None = Field(None, description="API key for the chat endpoint.")
    llm_timeout: float = Field(
        30.0,
        description="Seconds the model's part of one answer may take, every attempt and backoff included; "
        "past it the offline answer is given.",
    )
    llm_max_in_flight: int = Field(
        16,
        description="Answers a worker may have the model write at once; the rest are answered offline at "
        "once, with a note saying so (a slow model must not queue every request behind it).",
    )
    llm_retries: int = Field(
        2, description="Retries after a timeout, 429, 5xx, malformed body or refused connection."
    )
    llm_mask: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Mask names, ID, phone and bank numbers before text goes to the chat endpoint: auto = "
        "unless it is on loopback or a private address; off for an intranet model.",
    )
    llm_context_tokens: int = Field(
        8192, description="The chat model's context window; the least relevant units are dropped to fit."
    )
    llm_max_tokens: int = Field(1024, description="Tokens reserved for the model's answer.")
    llm_structured: Literal["json_mode", "json_schema"] = Field(
        "json_mode",
        description="How JSON is asked for: json_mode (response_format json_object; DeepSeek, Qwen, vLLM, "
        "Ollama) or json_schema (vLLM, Ollama).",
    )
    llm_extract_factors: bool = Field(
        True,
        description="Also have the model read the six factors (it fills only what the rules left unknown).",
    )
    llm_encoding: str = Field(
        "cl100k_base", description="tiktoken encoding used to count tokens, if its file is present."
    )
    tiktoken_cache_dir: Path | None = Field(
        None,
        validation_alias=AliasChoices("ASSISTANT_TIKTOKEN_CACHE_DIR", "TIKTOKEN_CACHE_DIR"),
        description="Folder with a pre-placed tiktoken encoding file (never downloaded); unset = a "
        "conservative estimate.",
    )

    embedding_base_url: str | None = Field(
        None, description="OpenAI-compatible /v1/embeddings endpoint; unset = the offline embedder."
    )
    embedding_model: str | None = Field(None, description="Embedding model name at that endpoint.")
    embedding_api_key: str | None = Field(None, description="API key for the embedding endpoint.")

    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded Chroma.")
    chroma_port: int = Field(8001, description="Chroma server port.")

    api_token: str | None = Field(None, description="When set, /v1/* requires this bearer token.")
    admin_without_token: bool = Field(
        False,
        description="Serve /v1/admin/* when no API token is set (off: any web page could POST to it).",
    )
    allowed_hosts: str | None = Field(
        None,
        description="Comma-separated host names (e.g. assistant.example.gov.cn,127.0.0.1) a request's Host "
        "header must name; unset = any (a DNS-rebinding page names its own).",
    )
    api_docs: bool = Field(
        False, description="Serve /docs and /openapi.json (the Swagger page loads its scripts from a CDN)."
    )

    wecom_corp_id: str | None = Field(None, description="WeChat Work corp id.")
    wecom_agent_id: str | None = Field(None, description="WeChat Work self-built app agent id.")
    wecom_secret: str | None = Field(None, description="WeChat Work app secret.")
    wecom_token: str | None = Field(None, description="Callback token for msg_signature.")
    wecom_aes_key: str | None = Field(None, description="Callback EncodingAESKey (43 characters).")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", description="WeChat Work API base URL.")
    wecom_markdown: bool = Field(
        True, description="Push answers as markdown (WeChat Work client); false = plain text (微信插件)."
    )
    wecom_passive_seconds: float = Field(
        4.0, description="Wait this long for an answer to reply passively; WeChat gives up after 5 s."
    )

    max_body_bytes: int = Field(64 * 1024, description="Largest HTTP request body accepted, in bytes.")
    conversation_idle_minutes: float = Field(
        30.0, description="A web or WeChat conversation idle this long starts afresh."
    )
    audit_retention_days: int = Field(
        180, description="Audit log rows older than this are pruned; 0 keeps them forever."
    )

    max_question_chars: int = Field(2000, description="Longest question accepted, in characters.")
    ingest_max_bytes: int = Field(
        20 * 1024 * 1024,
        description="Largest document `assistant ingest` or the admin upload accepts, in bytes.",
    )
    top_k: int = Field(8, description="Units retrieved per question before assessment.")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def host_names(self) -> frozenset[str]:
        """The allowed Host names, lower case, ports left off; empty = any."""
        names = (self.allowed_hosts or "").split(",")
        return frozenset(n.strip().lower() for n in names if n.strip())

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def local_knowledge_dir(self) -> Path:
        """The deployment's own documents (``assistant ingest``): under the data dir, so that updating
        the project never overwrites them; merged with knowledge/docs into every index build."""
        return self.data_dir / "knowledge"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
