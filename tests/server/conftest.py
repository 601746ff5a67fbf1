"""A real `edgecall serve` process on 127.0.0.1 with the packaged model, shared by the server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serverkit import Server, start_server, stop_server


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """One warm server on a demo profile, loopback, no token (shared: loading the model costs seconds)."""
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)
