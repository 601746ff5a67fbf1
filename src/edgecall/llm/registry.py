"""One registry of model backends; the built-in ones register here exactly as a user's own would.

A backend is a name, a pydantic options model that rejects unknown keys (so a typo in `n_ctx` or a llama.cpp
option sent to an HTTP server is an error, with the known options listed), a test of whether it serves a
(model, endpoint) pair, and a factory. `load_llm` validates the options and calls the factory; it holds no
knowledge of any particular backend::

    class EchoOptions(BaseModel):
        model_config = ConfigDict(extra="forbid")
        prefix: str = ""

    register_backend(Backend("echo", EchoOptions, build=lambda model, endpoint, o: Echo(o.prefix),
                             serves=lambda model, endpoint: model == "echo"))
    load_llm("echo", prefix=">")

Backends registered later are asked first, so a registered backend can take over model names from a built-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import LLMError
from .base import LLM

__all__ = ["Backend", "backend_names", "get_backend", "load_llm", "register_backend", "unregister_backend"]


@dataclass(frozen=True)
class Backend:
    """How to build one kind of `LLM`.

    Attributes:
        name: what `load_llm(backend=...)` and error messages call it.
        options: the pydantic model of its keyword options (``extra="forbid"``).
        build: ``(model, endpoint, options) -> LLM``.
        serves: ``(model, endpoint) -> bool``: whether `load_llm` without ``backend=`` should pick it.
    """

    name: str
    options: type[BaseModel]
    build: Callable[[str | None, str | None, Any], LLM]
    serves: Callable[[str | None, str | None], bool]


_BACKENDS: dict[str, Backend] = {}


def register_backend(backend: Backend) -> None:
    """Add (or replace) a backend; it is asked before the ones registered earlier."""
    _BACKENDS.pop(backend.name, None)
    _BACKENDS[backend.name] = backend


def unregister_backend(name: str) -> None:
    _BACKENDS.pop(name, None)


def backend_names() -> list[str]:
    return list(_BACKENDS)


def get_backend(name: str) -> Backend:
    try:
        return _BACKENDS[name]
    except KeyError:
        raise LLMError(f"unknown model backend {name!r}; known backends: {', '.join(sorted(_BACKENDS))}") from None


def load_llm(
    model: str | None = None, endpoint: str | None = None, *, backend: str | None = None, **options: Any
) -> LLM:
    """Build a model backend: the named one, else the latest registered that serves (`model`, `endpoint`).

    Keyword options are validated by the backend's options model (see `backend_options`).
    """
    chosen: Backend | None
    if backend is not None:
        chosen = get_backend(backend)
    else:
        chosen = next((b for b in reversed(_BACKENDS.values()) if b.serves(model, endpoint)), None)
        if chosen is None:
            raise LLMError(f"no model backend serves model={model!r} endpoint={endpoint!r}; "
                           f"known backends: {', '.join(sorted(_BACKENDS))}")
    return chosen.build(model, endpoint, backend_options(chosen, options))


def backend_options(backend: Backend, options: dict[str, Any]) -> BaseModel:
    """`options` as `backend`'s options model; an `LLMError` naming the bad key and the known ones otherwise."""
    try:
        return backend.options.model_validate(options)
    except ValidationError as exc:
        known = ", ".join(backend.options.model_fields)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: "
            + ("not an option of this backend" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        )
        raise LLMError(f"bad option for the {backend.name} backend: {problems} (known options: {known})") from None
