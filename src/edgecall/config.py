"""Configuration: defaults < TOML file (XDG config dir) < EDGECALL_* environment < command-line flags.

One `Settings` object drives `run`, `plan`, `execute` and `eval`, so they plan identically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from .assistant.config import AssistantConfig, SmtpConfig


def default_config_path() -> Path:
    """`$EDGECALL_CONFIG`, else `config.toml` in the XDG config dir."""
    env = os.environ.get("EDGECALL_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir("edgecall")) / "config.toml"


class SmtpSettings(BaseModel):
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str | None = None


class AssistantSettings(BaseModel):
    """The `[assistant]` table: what the personal tools may touch (see `AssistantConfig`)."""

    data_dir: Path | None = None
    file_roots: list[Path] = Field(default_factory=list)
    apps: list[str] | None = None
    open_browser: bool = False
    open_files: bool = False
    smtp: SmtpSettings | None = None
    sms_command: list[str] | None = None
    zoom_token: str | None = None
    zoom_api_url: str = "https://api.zoom.us/v2"
    jitsi_url: str = "https://meet.jit.si"
    user_name: str = "Me"
    user_email: str = "me@localhost"

    def to_config(self) -> AssistantConfig:
        return AssistantConfig(
            data_dir=self.data_dir,
            file_roots=tuple(self.file_roots),
            apps=tuple(self.apps) if self.apps is not None else None,
            open_browser=self.open_browser,
            open_files=self.open_files,
            smtp=SmtpConfig(**self.smtp.model_dump()) if self.smtp else None,
            sms_command=tuple(self.sms_command) if self.sms_command else None,
            zoom_token=self.zoom_token,
            zoom_api_url=self.zoom_api_url,
            jitsi_url=self.jitsi_url,
            user_name=self.user_name,
            user_email=self.user_email,
        )


class Settings(BaseSettings):
    """Everything a run can be configured with; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="EDGECALL_", env_nested_delimiter="__", extra="forbid")

    model: str = "smollm2-135m"
    """Preset name (smollm2-135m, gemma3-270m) or a GGUF path; with `endpoint`, the served model's name."""
    endpoint: str | None = None
    """Base URL of an OpenAI-compatible server (llama.cpp server, vLLM, Ollama, OpenAI)."""
    api_key: str | None = None
    chat: bool = False
    """Send prompts as chat messages instead of raw text completions (for servers without /v1/completions)."""
    n_ctx: int = 4096
    grammar: bool = True
    examples: bool = False
    """Also show the assistant's 12 fixed in-context examples (measured worse than retrieval alone)."""
    retrieved_examples: int = 4
    """How many similar solved examples to retrieve from the example bank into the prompt (0: none)."""
    custom_instructions: str = ""
    joiner: Literal["rule", "llm"] = "rule"
    max_replans: int = 2
    task_timeout: float = 60.0
    max_plan_tokens: int = 512
    subagent_model: str | None = None
    """Model for the email/note/summary sub-agents; default: the planner's model."""
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, default_config_path()))


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment, with non-None `overrides` (command-line flags) on top."""
    flat = {k: v for k, v in overrides.items() if v is not None and k != "assistant"}
    settings = Settings(**flat)
    assistant_overrides = {k: v for k, v in (overrides.get("assistant") or {}).items() if v is not None}
    if assistant_overrides:
        settings.assistant = settings.assistant.model_copy(update=assistant_overrides)
    return settings
