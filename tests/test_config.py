"""Settings precedence: defaults < TOML file < EDGECALL_* environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from edgecall.config import load_settings


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("EDGECALL_CONFIG", str(path))
    for var in ("EDGECALL_MODEL", "EDGECALL_GRAMMAR", "EDGECALL_ASSISTANT__DATA_DIR", "EDGECALL_MAX_REPLANS"):
        monkeypatch.delenv(var, raising=False)
    return path


def test_defaults_without_a_file(config_file):
    s = load_settings()
    assert s.model == "edgecall-planner" and s.grammar and s.joiner == "rule" and s.max_replans == 2
    assert s.assistant.data_dir is None


def test_file_then_env_then_flags(config_file, monkeypatch):
    config_file.write_text(
        'model = "gemma3-270m"\nmax_replans = 1\ncustom_instructions = "Always cc Nick."\n'
        '[assistant]\ndata_dir = "/tmp/from-file"\nfile_roots = ["/tmp/docs"]\n'
    )
    s = load_settings()
    assert (s.model, s.max_replans, s.custom_instructions) == ("gemma3-270m", 1, "Always cc Nick.")
    assert s.assistant.data_dir == Path("/tmp/from-file")
    assert s.assistant.file_roots == (Path("/tmp/docs"),)

    monkeypatch.setenv("EDGECALL_MODEL", "/models/x.gguf")
    monkeypatch.setenv("EDGECALL_ASSISTANT__DATA_DIR", "/tmp/from-env")
    s = load_settings()
    assert s.model == "/models/x.gguf" and s.assistant.data_dir == Path("/tmp/from-env")
    assert s.max_replans == 1  # still from the file

    s = load_settings(model="smollm2-135m", grammar=False, assistant={"data_dir": Path("/tmp/flag")})
    assert s.model == "smollm2-135m" and not s.grammar and s.assistant.data_dir == Path("/tmp/flag")
    assert s.assistant.file_roots == (Path("/tmp/docs"),)  # untouched keys keep their file values


def test_unknown_keys_and_bad_values_are_errors(config_file):
    config_file.write_text("modle = 'typo'\n")
    with pytest.raises(ValidationError, match="modle"):
        load_settings()
    config_file.write_text("joiner = 'oracle'\n")
    with pytest.raises(ValidationError, match="joiner"):
        load_settings()


def test_config_file_is_passed_not_put_in_the_environment(tmp_path, config_file, monkeypatch):
    """`load_settings(config_file)` (the CLI's --config) reads that file and leaves os.environ alone."""
    import os

    other = tmp_path / "other.toml"
    other.write_text('model = "gemma3-270m"\n[assistant]\napps = ["sms"]\n')
    config_file.write_text('model = "from-default-file"\n')
    s = load_settings(other)
    assert s.model == "gemma3-270m" and s.assistant.enabled_tools() == ["send_sms"]
    assert os.environ["EDGECALL_CONFIG"] == str(config_file)
    assert load_settings().model == "from-default-file"


def test_assistant_table_is_the_assistant_config(config_file):
    """Settings nests the one AssistantConfig model (no field-by-field copy), validated at load time."""
    from edgecall.config import AssistantConfig

    config_file.write_text('[assistant]\napps = ["telepathy"]\n')
    with pytest.raises(ValidationError, match="unknown app"):
        load_settings()
    config_file.write_text('[assistant]\nsmtp = {host = "127.0.0.1", port = 2525}\nsms_command = ["true"]\n')
    s = load_settings(assistant={"data_dir": Path("/tmp/flag")})
    assert isinstance(s.assistant, AssistantConfig)
    assert (s.assistant.smtp.host, s.assistant.smtp.port, s.assistant.sms_command) == ("127.0.0.1", 2525, ("true",))
    assert s.assistant.data_dir == Path("/tmp/flag")
    with pytest.raises(ValidationError, match="user_nmae"):
        load_settings(assistant={"user_nmae": "typo"})
