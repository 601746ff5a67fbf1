"""Configuration: defaults < TOML file (XDG config dir) < EDGECALL_* environment < command-line flags.

One `Settings` object drives `run`, `plan`, `execute` and `eval`, so they plan identically.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from .llm.presets import DEFAULT_PRESET

_config_file: ContextVar[Path | None] = ContextVar("edgecall_config_file", default=None)
"""The file `load_settings(config_file=...)` reads while it builds a `Settings` (pydantic-settings picks its sources
in a classmethod, so the path reaches it through this context variable, scoped to that one call)."""


def default_config_path() -> Path:
    """`$EDGECALL_CONFIG`, else `config.toml` in the XDG config dir."""
    env = os.environ.get("EDGECALL_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir("edgecall")) / "config.toml"


#: The paper's Preferences window groups tools by app; enabling an app enables its tools.
APPS: dict[str, tuple[str, ...]] = {
    "contacts": ("get_phone_number", "get_email_address"),
    "calendar": ("create_calendar_event",),
    "files": ("open_and_get_file_path", "summarize_pdf"),
    "mail": ("compose_new_email", "reply_to_email", "forward_email"),
    "maps": ("maps_open_location", "maps_show_directions"),
    "notes": ("create_note", "open_note", "append_note_content"),
    "reminders": ("create_reminder",),
    "sms": ("send_sms",),
    "zoom": ("get_zoom_meeting_link",),
}


class SmtpConfig(BaseModel):
    """An SMTP relay; when given, drafts are also sent (the default only writes drafts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str | None = None


class AssistantConfig(BaseModel):
    """The `[assistant]` table: what the assistant may touch and which real side effects are switched on.

    Everything defaults to "local files only": nothing leaves the machine (no SMTP, no SMS command, no browser, no
    Zoom) unless it is configured. `Settings` nests it as is; tests build one directly.

    Attributes:
        data_dir: root of the personal data store; ``None`` means the XDG data dir.
        file_roots: folders ``open_and_get_file_path`` searches (default: ``<data_dir>/files``).
        apps: enabled apps (keys of :data:`APPS`); ``None`` enables all.
        open_browser: open map URLs in the desktop browser (off by default: tools stay headless).
        open_files: open found files with ``xdg-open`` (the paper's "open_..." really opened them).
        smtp: send composed mail over SMTP in addition to saving the draft.
        sms_command: argv template for real SMS sending, e.g.
            ``["kdeconnect-cli", "--send-sms", "{message}", "--destination", "{number}"]``.
        zoom_token: Zoom OAuth access token; without it meetings get a Jitsi Meet link.
        zoom_api_url: Zoom REST API base (overridable so tests can use a local fake server).
        jitsi_url: Jitsi Meet server used when no Zoom token is configured.
        user_name / user_email: the sender identity written into drafts.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path | None = None
    file_roots: tuple[Path, ...] = ()
    apps: tuple[str, ...] | None = None
    open_browser: bool = False
    open_files: bool = False
    smtp: SmtpConfig | None = None
    sms_command: tuple[str, ...] | None = None
    zoom_token: str | None = None
    zoom_api_url: str = "https://api.zoom.us/v2"
    jitsi_url: str = "https://meet.jit.si"
    user_name: str = "Me"
    user_email: str = "me@localhost"

    @field_validator("apps")
    @classmethod
    def _known_apps(cls, apps: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [a for a in apps or () if a not in APPS]
        if unknown:
            raise ValueError(f"unknown app(s) {unknown}; known apps: {sorted(APPS)}")
        return apps

    def enabled_tools(self) -> list[str]:
        """Tool names of the enabled apps, in the canonical order of :data:`APPS`."""
        apps = self.apps if self.apps is not None else tuple(APPS)
        return [name for app, names in APPS.items() if app in apps for name in names]


class Settings(BaseSettings):
    """Everything a run can be configured with; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="EDGECALL_", env_nested_delimiter="__", extra="forbid")

    model: str = DEFAULT_PRESET
    """Preset name (edgecall-planner, smollm2-135m, gemma3-270m) or a GGUF path; with `endpoint`, the served model's
    name."""
    endpoint: str | None = None
    """Base URL of an OpenAI-compatible server (llama.cpp server, vLLM, Ollama, OpenAI)."""
    api_key: str | None = None
    chat: bool = False
    """Send prompts as chat messages instead of raw text completions (for servers without /v1/completions)."""
    n_ctx: int = 4096
    deadline: float = Field(300.0, gt=0)
    """Seconds one model generation may take before it is stopped with an error (every backend)."""
    grammar: bool = True
    speculative: bool = True
    """Local models: greedy decoding checks guessed tokens (from the prompt, the plan so far and the grammar's
    literals) several to a forward pass; the same plans, sooner (`edgecall.llm.draft`). Off to measure its effect."""
    prompt_format: str | None = None
    """Planner prompt format (long, compact); default: the one the model preset names (long for GGUF paths)."""
    adapter: Path | None = None
    """A llama.cpp GGUF LoRA adapter applied over the model at run time (from `edgecall export`). A preset's own
    adapter is served merged into its base instead (`edgecall.llm.served_model`)."""
    examples: bool = False
    """Also show the assistant's 12 fixed in-context examples (measured worse than retrieval alone)."""
    retrieved_examples: int = 4
    """How many similar solved examples to retrieve from the example bank into the prompt (0: none)."""
    tool_rag: bool | None = None
    """Tool RAG: offer the planner only the tools a classifier selects for the request (shorter prompt, grammar
    limited to them, examples filtered to them). None: the prompt format's default, measured per format (on for
    `long`, the untuned models: +9 points on dev with half the prompt; off for `compact`, the fine-tuned planner,
    which loses 2.6 points with it); docs/results.md has the ablation."""
    tool_rag_model: Path | None = None
    """A Tool RAG classifier artifact (`edgecall train toolrag`); default: the packaged one for the assistant."""
    custom_instructions: str = ""
    joiner: Literal["rule", "llm"] = "rule"
    max_replans: int = 2
    task_timeout: float = 60.0
    max_plan_tokens: int = 512
    subagent_model: str | None = None
    """Model for the email/note/summary sub-agents; default: the preset's writer (edgecall-planner: smollm2-135m),
    else the planner's model."""
    confirm: bool = True
    """Ask before an act that cannot be undone (an SMS or mail really sent); false acts like `--yes`."""
    assistant: AssistantConfig = Field(default_factory=AssistantConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, _config_file.get() or default_config_path())
        return (init_settings, env_settings, toml)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the config file and environment, with non-None `overrides` (command-line flags) on top.

    `config_file` (the `--config` flag) replaces the default file (`default_config_path`).
    """
    flat = {k: v for k, v in overrides.items() if v is not None and k != "assistant"}
    token = _config_file.set(config_file)
    try:
        settings = Settings(**flat)
    finally:
        _config_file.reset(token)
    assistant_overrides = {k: v for k, v in (overrides.get("assistant") or {}).items() if v is not None}
    if assistant_overrides:
        settings.assistant = AssistantConfig.model_validate({**settings.assistant.model_dump(), **assistant_overrides})
    return settings
