"""Notes: Markdown files in folders."""

from __future__ import annotations

import pytest

from edgecall.assistant.store import StoreError
from edgecall.tools import ToolError


def test_create_open_append(store, tools, call):
    out = call(tools, "create_note", "Trip ideas", "Lisbon in June", "Travel")
    path = store.root / "notes" / "Travel" / "Trip ideas.md"
    assert str(path) in out
    assert path.read_text(encoding="utf-8") == "# Trip ideas\n\nLisbon in June\n"
    call(tools, "append_note_content", "trip", "Porto in July", "")  # partial name, any folder
    assert path.read_text(encoding="utf-8") == "# Trip ideas\n\nLisbon in June\n\nPorto in July\n"
    assert "Porto in July" in call(tools, "open_note", "Trip Ideas", "travel")


def test_default_folder(store, tools, call):
    call(tools, "create_note", "Quick thought", "call the bank", "")
    assert (store.root / "notes" / "Notes" / "Quick thought.md").is_file()


def test_create_never_overwrites(store, tools, call):
    with pytest.raises(ToolError, match="already exists .* use append_note_content"):
        call(tools, "create_note", "Groceries", "nothing", "")
    assert "tomatoes" in (store.root / "notes" / "Notes" / "Groceries.md").read_text(encoding="utf-8")


def test_append_creates_a_missing_note(store, tools, call):
    call(tools, "append_note_content", "Books to read", "Dune", "")
    assert (store.root / "notes" / "Notes" / "Books to read.md").read_text(encoding="utf-8") == "# Books to read\n\nDune\n"


def test_open_missing_note(tools, call):
    with pytest.raises(ToolError, match="no note named 'Diary' in any folder"):
        call(tools, "open_note", "Diary", "")
    with pytest.raises(ToolError, match="no note named 'Groceries' in folder 'Work'"):
        call(tools, "open_note", "Groceries", "Work")


def test_ambiguous_note(store, tools, call):
    call(tools, "create_note", "Packing for Lisbon", "sandals", "Travel")
    with pytest.raises(ToolError, match="'packing' is ambiguous"):
        call(tools, "open_note", "packing", "")


def test_note_names_cannot_escape_the_notes_folder(store, tools, call):
    call(tools, "create_note", "../../escape", "x", "")
    assert not (store.root.parent / "escape.md").exists()
    assert (store.root / "notes" / "Notes" / "escape.md").is_file()
    with pytest.raises(ToolError, match="folder name '../..' is empty or not usable"):
        call(tools, "create_note", "x", "x", "../..")


def test_non_utf8_note_is_reported(store):
    (store.root / "notes" / "Notes" / "Old.md").write_bytes(b"\xff\xfe bad")
    with pytest.raises(StoreError, match=r"Old.md is not valid UTF-8"):
        store.notes.read("Old", "")
