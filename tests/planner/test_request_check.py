"""The planner refuses requests it cannot plan, before any model runs (every front-end goes through it)."""

from __future__ import annotations

import re

import pytest

from edgecall.errors import RequestError
from edgecall.planner import Planner
from edgecall.tools import Toolset, tool


@tool
def f(x: str) -> str:
    """A tool."""
    return x


class NoModel:
    """Fails the test if the planner ever asks it for text."""

    name = "none"

    def stream(self, *a, **kw):
        raise AssertionError("the model was called")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [("", "the request is empty"), (" \n\t", "the request is empty"), ("caf\udce9", "not valid UTF-8 (at character 4)")],
)
def test_unplannable_requests_are_refused(query, fragment):
    planner = Planner(NoModel(), Toolset([f]), grammar=False)
    with pytest.raises(RequestError, match=re.escape(fragment)):
        planner.plan(query)
