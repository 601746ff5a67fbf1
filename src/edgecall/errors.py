"""Every error edgecall raises on purpose, in one tree, so callers can catch "anything from edgecall" or one kind.

Each class keeps the builtin it used to be (``PlanError`` is still a ``ValueError``), so code that caught the builtin
keeps working. The modules that raise an error re-export it (``edgecall.plan.PlanError`` is this ``PlanError``).

    EdgecallError
    ├── PlanError (ValueError)            plan text or structure is wrong            plan/
    │   ├── PlanSyntaxError               a line is not `N. tool(args)`
    │   └── PlanValidationError           parses, but cannot run
    ├── ToolError                         a tool failed in a way the user can act on  tools/, assistant/
    │   ├── ToolArgumentError             arguments do not fit the tool's signature
    │   ├── ToolCancelled                 stopped before acting: the step was already reported failed  tools/cancel.py
    │   └── StoreError                    the personal data store cannot do it       assistant/store/
    ├── ConsentUnavailable                nobody can be asked to approve an act      runtime/approval.py
    ├── RequestError (ValueError)         the user's request cannot be planned (blank, undecodable)  planner/
    ├── LLMError (RuntimeError)           a model backend failed                     llm/
    ├── GrammarError (ValueError)         a tool signature has no GBNF form          llm/grammar.py
    ├── DatasetError (ValueError)         a dataset file cannot be used              dataset.py
    ├── ToolsetError (ValueError)         a toolset spec cannot be loaded            data/toolsets.py
    ├── ToolRAGError (ValueError)         a tool classifier or its input is unusable retrieval/toolrag.py
    ├── VariantError (ValueError)         an evaluation variant spec is wrong        evaluation/variants.py
    ├── VoiceError (ValueError)           a recording cannot be transcribed          voice/
    ├── PromptFormatError (ValueError)    an unknown planner prompt format           planner/prompt.py
    ├── TrainingError (RuntimeError)      training or export cannot proceed          training/
    └── ServerBusy (RuntimeError)         the server's queue is full (HTTP 429)      server/

Messages say what is wrong, where (step, line or file) and what was expected; text a planner reads stays one line.
New error classes belong here, under the branch whose handler should catch them (tests/test_errors.py checks that
every exception class defined in edgecall derives from ``EdgecallError`` and is drawn above).
"""

from __future__ import annotations

__all__ = [
    "ConsentUnavailable",
    "DatasetError",
    "EdgecallError",
    "GrammarError",
    "LLMError",
    "PlanError",
    "PlanSyntaxError",
    "PlanValidationError",
    "PromptFormatError",
    "RequestError",
    "ServerBusy",
    "StoreError",
    "ToolArgumentError",
    "ToolCancelled",
    "ToolError",
    "ToolRAGError",
    "ToolsetError",
    "TrainingError",
    "VariantError",
    "VoiceError",
]


class EdgecallError(Exception):
    """Root of every error edgecall raises on purpose; anything else escaping edgecall is a bug."""


class PlanError(EdgecallError, ValueError):
    """Base class for everything wrong with a plan's text or structure.

    Carries the step, what is wrong and what was expected, so a replan prompt (or a human) can fix exactly
    that line instead of guessing.
    """

    def __init__(self, message: str, *, step: int | None = None, expected: str | None = None) -> None:
        self.step = step
        self.message = message
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"step {self.step}: " if self.step is not None else ""
        hint = f" (expected {self.expected})" if self.expected else ""
        return f"{where}{self.message}{hint}"


class PlanSyntaxError(PlanError):
    """The text is not a plan: a line that cannot be read as `N. tool(args)`."""


class PlanValidationError(PlanError):
    """The plan reads fine but cannot run: unknown tool, bad arguments, bad references, no join()."""


class ToolError(EdgecallError):
    """An expected, user-facing failure inside a tool (unknown contact, missing file, ...).

    The executor records its message as the task's error; the joiner decides whether a replan could help.
    """


class ToolArgumentError(ToolError):
    """The arguments a plan passed do not fit the tool's signature (the executor marks it fixable by a replan)."""


class ToolCancelled(ToolError):
    """A tool stopped itself at a checkpoint before an act (a write, a send) because its step was
    already reported failed (timed out) or the run was cancelled: what the user was told stays true."""


class StoreError(ToolError):
    """A data-store failure the user can act on (missing/corrupt file, unknown name...)."""


class ConsentUnavailable(EdgecallError):
    """Raised by an approver that cannot ask anyone (no terminal, no page open): the irreversible act is not done,
    and the task's error is this message instead of "declined by the user"."""


class RequestError(EdgecallError, ValueError):
    """The user's request cannot be planned: it is blank, or holds bytes that were not valid text.

    Raised before any model runs: a 135M planner given nothing invents a plan (texts to strangers).
    """


class LLMError(EdgecallError, RuntimeError):
    """A model backend failed in a way the user can act on (dead server, bad model path, HTTP error)."""


class GrammarError(EdgecallError, ValueError):
    """A tool signature cannot be expressed in the plan language."""


class DatasetError(EdgecallError, ValueError):
    """A dataset file that cannot be used as it is; the message names the file and line."""


class ToolsetError(EdgecallError, ValueError):
    """A toolset spec that cannot be loaded; the message names the file and the problem."""


class ToolRAGError(EdgecallError, ValueError):
    """A Tool RAG classifier artifact or request that cannot be used (missing/corrupt file, tools that do not match
    the toolset, an empty request); the message says how to fix it."""


class VariantError(EdgecallError, ValueError):
    """A variant spec or file that cannot be used; the message says which key or value."""


class VoiceError(EdgecallError, ValueError):
    """A recording cannot be used: not decodable audio, empty, too long, or the voice extra is missing."""


class ServerBusy(EdgecallError, RuntimeError):
    """The server's bounded queue is full; the client should retry shortly (HTTP 429 with Retry-After)."""


class PromptFormatError(EdgecallError, ValueError):
    """A planner prompt format name that is not one of `edgecall.planner.PROMPT_FORMATS`."""


class TrainingError(EdgecallError, RuntimeError):
    """Training or exporting a planner cannot proceed: bad rows (file:line), a missing `[train]` extra, no CUDA,
    an adapter that does not fit its base model. The message says how to fix it."""
