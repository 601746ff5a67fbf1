"""The personal assistant: 16 tools over a Linux-native personal data store (issue 3)."""

from edgecall.assistant.store import Store, StoreError
from edgecall.assistant.subagents import SubAgents
from edgecall.assistant.tools import assistant_toolset
from edgecall.config import APPS, AssistantConfig, SmtpConfig

__all__ = ["APPS", "AssistantConfig", "SmtpConfig", "Store", "StoreError", "SubAgents", "assistant_toolset"]
