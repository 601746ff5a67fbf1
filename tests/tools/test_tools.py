"""The @tool decorator, JSON-schema tools, and plan validation against tool signatures."""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated

import pytest

from edgecall.plan import PlanValidationError, parse_plan, plans_match, validate_plan
from edgecall.tools import (
    Arg,
    ArgKind,
    Returns,
    Tool,
    ToolArgumentError,
    ToolError,
    Toolset,
    tool,
    tool_from_json_schema,
)


@tool
def get_email_address(name: str) -> str:
    """Find a contact's email address.

    Args:
        name: the contact's name, or part of it.
    """
    return f"{name.lower()}@example.org"


@tool
def send_email(recipients: list[str], subject: str, priority: int, urgent: bool) -> str:
    """Send an email."""
    return f"sent to {', '.join(recipients)}"


@tool(name="wait")
async def wait_a_bit(seconds: float) -> float:
    """Sleep, asynchronously."""
    await asyncio.sleep(seconds)
    return seconds


TOOLS = Toolset([get_email_address, send_email, wait_a_bit])


def test_decorator_reads_signature_and_docstring():
    assert isinstance(get_email_address, Tool)
    assert get_email_address.signature() == "get_email_address(name: str) -> str"
    assert get_email_address.params[0].description == "the contact's name, or part of it."
    assert get_email_address.description == "Find a contact's email address."
    assert "get_email_address(name: str) -> str" in get_email_address.prompt_description()
    assert send_email.signature() == "send_email(recipients: list[str], subject: str, priority: int, urgent: bool) -> str"
    assert wait_a_bit.name == "wait" and wait_a_bit.is_async


def test_json_schema_is_openai_style():
    schema = send_email.json_schema()
    fn = schema["function"]
    assert schema["type"] == "function" and fn["name"] == "send_email"
    assert fn["parameters"]["properties"]["recipients"] == {"type": "array", "items": {"type": "string"}}
    assert fn["parameters"]["required"] == ["recipients", "subject", "priority", "urgent"]


def test_tool_from_json_schema_round_trips_types():
    rebuilt = tool_from_json_schema(send_email.json_schema())
    assert rebuilt.signature() == send_email.signature()
    with pytest.raises(ToolError, match="no implementation"):
        asyncio.run(rebuilt.acall([["a"], "s", 1, True]))


def test_check_args_coerces_and_rejects():
    assert send_email.check_args(["a@x.org", "hi", "2", True]) == [["a@x.org"], "hi", 2, True]
    with pytest.raises(ToolArgumentError, match="priority"):
        send_email.check_args([["a"], "hi", "high", True])
    with pytest.raises(ToolArgumentError, match="takes 4 argument"):
        send_email.check_args([["a"]])


def test_sync_and_async_calls():
    assert asyncio.run(get_email_address.acall(["Sid"])) == "sid@example.org"
    assert asyncio.run(wait_a_bit.acall([0.01])) == 0.01


def test_toolset_lookup_and_subset():
    assert TOOLS.names() == ["get_email_address", "send_email", "wait"]
    assert TOOLS.subset(["wait", "get_email_address"]).names() == ["get_email_address", "wait"]
    with pytest.raises(ToolError, match="unknown tool 'nope'"):
        TOOLS["nope"]
    with pytest.raises(ValueError, match="duplicate"):
        Toolset([get_email_address, get_email_address])


@pytest.mark.parametrize(
    ("plan", "fragment"),
    [
        ('1. get_emial_address("x")\n2. join()', "did you mean get_email_address"),
        ('1. get_email_address("x", "y")\n2. join()', "got 2 argument"),
        ('1. get_email_address(3)\n2. join()', "must be str"),
        ('1. send_email("a@x.org", "s", 1, True)\n2. join()', "must be list[str]"),
        ('1. send_email(["a"], "s", "1", True)\n2. join()', "must be int"),
        ('1. send_email(["a"], "s", 1, "yes")\n2. join()', "must be bool"),
        ('1. get_email_address("x")\n2. send_email(["$1"], "s", "$1 days", True)\n3. join()', "interpolates"),
    ],
)
def test_validation_errors(plan, fragment):
    with pytest.raises(PlanValidationError) as info:
        parse_plan(plan, TOOLS)
    assert fragment in str(info.value)
    assert info.value.step is not None


def test_references_stand_for_any_type():
    plan = parse_plan(
        '1. get_email_address("Sid")\n2. wait("$1")\n3. send_email("$1", "Re: $2", "$2", "$2")\n4. join()', TOOLS
    )
    validate_plan(plan, TOOLS)


def test_dag_match_metric():
    gold = parse_plan('1. get_email_address("a")\n2. get_email_address("b")\n3. send_email(["$1", "$2"], "s", 1, True)\n4. join()')
    reordered = parse_plan('1. get_email_address("b")\n2. get_email_address("a")\n3. send_email(["$2", "$1"], "x", 2, False)\n4. join()')
    wrong_dep = parse_plan('1. get_email_address("a")\n2. get_email_address("b")\n3. send_email(["$1"], "s", 1, True)\n4. join()')
    wrong_tool = parse_plan('1. get_email_address("a")\n2. wait(1)\n3. send_email(["$1", "$2"], "s", 1, True)\n4. join()')
    extra = parse_plan('1. get_email_address("a")\n2. get_email_address("b")\n3. get_email_address("c")\n4. send_email(["$1", "$2"], "s", 1, True)\n5. join()')
    assert plans_match(reordered, gold)
    assert not plans_match(wrong_dep, gold)
    assert not plans_match(wrong_tool, gold)
    assert not plans_match(extra, gold)
    assert not plans_match(gold, extra)




class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_enum_parameters_accept_their_values():
    @tool
    def paint(color: Color) -> str:
        """Paint."""
        return color.value

    ts = Toolset([paint])
    parse_plan('1. paint("red")\n2. join()', ts)
    with pytest.raises(PlanValidationError, match="must be Color"):
        parse_plan('1. paint("green")\n2. join()', ts)
    assert asyncio.run(paint.acall(["blue"])) == "blue"


# --- metadata declared on the tools (edgecall.tools.meta) ---------------------------------------------------


def _annotated_tools():
    @tool
    def lookup_email(name: Annotated[str, Arg(ArgKind.NAME)]) -> Annotated[str, Returns("email")]:
        """Find an address.

        Args:
            name: who.
        """
        return f"{name}@example.com"

    @tool
    def mail(to: Annotated[list[str], Arg(accepts={"email"}, entity=True)], body: Annotated[str, Arg("text")]) -> (
        Annotated[str, Returns()]
    ):
        """Send mail."""
        return "sent"

    return lookup_email, mail


def test_annotated_metadata_is_read_and_stripped_from_the_types():
    lookup_email, mail = _annotated_tools()
    assert lookup_email.signature() == "lookup_email(name: str) -> str"
    assert mail.signature() == "mail(to: list[str], body: str) -> str"
    assert [(p.kind.value, sorted(p.accepts), p.entity) for p in mail.params] == [
        ("exact", ["email"], True), ("text", [], False)]
    assert lookup_email.params[0].entity is True  # names are entities unless said otherwise
    assert (lookup_email.produces, mail.produces) == ("email", "status")
    assert mail.check_args([["a@b.co"], "hi"]) == [["a@b.co"], "hi"]  # validation sees the plain type


def test_metadata_survives_the_json_schema_round_trip():
    for t in _annotated_tools():
        rebuilt = tool_from_json_schema(t.json_schema())
        assert rebuilt.produces == t.produces
        assert [p.meta for p in rebuilt.params] == [p.meta for p in t.params]
    plain = tool_from_json_schema({"name": "f", "parameters": {"properties": {"x": {"type": "string"}}}})
    assert plain.produces is None and plain.params[0].kind.value == "exact" and "x-edgecall" not in str(
        plain.json_schema())


@pytest.mark.parametrize(
    ("ext", "message"),
    [
        ({"kind": "fuzzy"}, "kind must be exact, name or text, got 'fuzzy'"),
        ({"accepts": "email"}, "accepts must be a list of strings"),
        ({"entity": "yes"}, "entity must be true or false"),
        ({"kinds": "name"}, r"unknown 'x-edgecall' key\(s\) \['kinds'\]"),
    ],
)
def test_bad_json_schema_metadata_is_a_clear_error(ext, message):
    schema = {"name": "f", "parameters": {"properties": {"x": {"type": "string", "x-edgecall": ext}}}}
    with pytest.raises(ValueError, match=rf"parameter 'x': .*{message}"):
        tool_from_json_schema(schema)


def test_assistant_tools_declare_every_result_kind():
    from edgecall.assistant.tools import assistant_toolset

    tools = assistant_toolset()
    assert {t.name: t.produces for t in tools if t.produces != "status"} == {
        "get_phone_number": "phone", "get_email_address": "email", "open_and_get_file_path": "path",
        "summarize_pdf": "text", "open_note": "text", "get_zoom_meeting_link": "link",
        "maps_open_location": "link", "maps_show_directions": "link"}
    assert all(t.produces is not None for t in tools)
