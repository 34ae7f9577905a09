"""The one settings class. Every environment variable the assistant reads is declared here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    llm_timeout: float = Field(30.0, description="Seconds before a chat request is abandoned.")

    embedding_base_url: str | None = Field(
        None, description="OpenAI-compatible /v1/embeddings endpoint; unset = the offline embedder."
    )
    embedding_model: str | None = Field(None, description="Embedding model name at that endpoint.")
    embedding_api_key: str | None = Field(None, description="API key for the embedding endpoint.")

    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded Chroma.")
    chroma_port: int = Field(8001, description="Chroma server port.")

    api_token: str | None = Field(None, description="When set, /v1/* requires this bearer token.")

    wecom_corp_id: str | None = Field(None, description="WeChat Work corp id.")
    wecom_agent_id: str | None = Field(None, description="WeChat Work self-built app agent id.")
    wecom_secret: str | None = Field(None, description="WeChat Work app secret.")
    wecom_token: str | None = Field(None, description="Callback token for msg_signature.")
    wecom_aes_key: str | None = Field(None, description="Callback EncodingAESKey (43 characters).")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", description="WeChat Work API base URL.")

    max_question_chars: int = Field(2000, description="Longest question accepted, in characters.")
    top_k: int = Field(8, description="Units retrieved per question before assessment.")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
