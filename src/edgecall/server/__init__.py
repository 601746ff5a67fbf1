"""The assistant as a local web app and HTTP API: `edgecall serve` (FastAPI + uvicorn).

A thin adapter: routes parse input, call the app.py builders through `RunService`, and stream the runtime's
`Event`s. FastAPI is an optional dependency (`pip install 'edgecall[server]'`); importing `edgecall` never loads it.
"""

from __future__ import annotations

from .app import ServerOptions, create_app
from .runs import RunService

__all__ = ["RunService", "ServerOptions", "create_app"]
