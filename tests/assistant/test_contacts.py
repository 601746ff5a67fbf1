"""Contacts: vCard files, forgiving lookup, clear errors."""

from __future__ import annotations

import pytest
import vobject

from edgecall.assistant.store import Contact, Store, StoreError
from edgecall.assistant.store.contacts import match_contacts, normalize
from edgecall.tools import ToolError


@pytest.mark.parametrize(
    "query,email",
    [
        ("Sid", "sid.jha@example.com"),            # nickname / prefix
        ("siddharth jha", "sid.jha@example.com"),  # case
        ("sofia", "sofia.ruiz@example.org"),       # accent-insensitive
        ("SOFÍA RUIZ", "sofia.ruiz@example.org"),
        ("Lutfi", "lutfi.erdogan@example.com"),
        ("Eren Erdogan", "lutfi.erdogan@example.com"),  # ğ matches g
        ("zoe", "zoe.mueller@example.ch"),
        ("Björn", "bjorn.andersson@example.se"),
        ("Maria", "maria.garcia@example.com"),
    ],
)
def test_forgiving_email_lookup(tools, call, query, email):
    assert call(tools, "get_email_address", query) == email


def test_phone_lookup(tools, call):
    assert call(tools, "get_phone_number", "Dana") == "+1 415 555 0105"


def test_unknown_contact(tools, call):
    with pytest.raises(ToolError, match=r"no contact matches 'Gandalf'"):
        call(tools, "get_phone_number", "Gandalf")


def test_ambiguous_contact_lists_candidates(tools, call):
    with pytest.raises(ToolError, match=r"'Alex' is ambiguous: it matches Alex Chen, Alex Morgan"):
        call(tools, "get_email_address", "Alex")


def test_exact_name_wins_over_prefix():
    people = [Contact("Dana"), Contact("Danalyn Park")]
    assert [c.name for c in match_contacts("dana", people)] == ["Dana"]


def test_normalize_folds_case_and_diacritics():
    assert normalize("  Sofía  RUIZ ") == "sofia ruiz"
    assert normalize("Erdoğan") == "erdogan"


def test_empty_address_book(tmp_path):
    with pytest.raises(StoreError, match="address book .* is empty"):
        Store(tmp_path).contacts.email("Maria")


def test_contact_without_email(tmp_path):
    store = Store(tmp_path)
    store.contacts.add(Contact("Phone Only", (), ("+1 555 0100",)))
    with pytest.raises(StoreError, match="'Phone Only' has no email address"):
        store.contacts.email("Phone")


def test_added_contact_is_a_valid_vcard(tmp_path):
    store = Store(tmp_path)
    path = store.contacts.add(Contact("Zoë Müller", ("zoe@example.ch",), ("+41 44 555",), ("Zo",)))
    card = vobject.readOne(path.read_text(encoding="utf-8"))
    assert card.fn.value == "Zoë Müller"
    assert card.email.value == "zoe@example.ch"
    assert card.tel.value == "+41 44 555"


def test_corrupt_vcard_names_the_file(store, tools, call):
    bad = store.root / "contacts" / "broken.vcf"
    bad.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis is not a property\n", encoding="utf-8")
    assert call(tools, "get_email_address", "Maria")  # one corrupt file does not block every lookup
    with pytest.raises(ToolError, match="broken.vcf line 4"):
        call(tools, "get_email_address", "Broken")


def test_non_utf8_vcard_names_the_file(store):
    (store.root / "contacts" / "latin1.vcf").write_bytes("BEGIN:VCARD\nFN:Jos\xe9\nEND:VCARD\n".encode("latin-1"))
    assert store.contacts.all()  # the other contacts still load
    assert any("latin1.vcf is not valid UTF-8" in p for p in store.contacts.problems)
    with pytest.raises(StoreError, match=r"latin1.vcf is not valid UTF-8"):
        store.contacts.find("José")


def test_resolve_mixes_addresses_and_names_without_duplicates(store):
    got = store.contacts.resolve_emails(["dana.okafor@example.com", "Dana", "Sid", ""])
    assert got == ["dana.okafor@example.com", "sid.jha@example.com"]
    assert store.contacts.resolve_phones(["+1 999 555 0000", "Maria"]) == ["+1 999 555 0000", "+1 510 555 0101"]


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Store().root == tmp_path / "xdg" / "edgecall"


def test_hyphenated_and_apostrophe_names():
    people = [Contact("Jean-Luc O'Brien"), Contact("Anna Smith")]
    assert [c.name for c in match_contacts("luc", people)] == ["Jean-Luc O'Brien"]
    assert [c.name for c in match_contacts("brien", people)] == ["Jean-Luc O'Brien"]
