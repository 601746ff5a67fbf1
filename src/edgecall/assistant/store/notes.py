"""Notes: Markdown files in folders (``notes/<Folder>/<Name>.md``), readable by any editor
and by Markdown note apps that open a folder (Obsidian, Joplin import, GNOME Notes...).

A note's file starts with ``# <Name>``; appends add paragraphs under the file's lock.
"""

from __future__ import annotations

from pathlib import Path

from edgecall.assistant.store._io import StoreError, locked, read_text, safe_name, write_atomic
from edgecall.text import best_matches

DEFAULT_FOLDER = "Notes"


def match_notes(query: str, paths: list[Path]) -> list[Path]:
    """Best matches of ``query`` among note files (the same levels as contact lookup: `edgecall.text.best_matches`)."""
    return best_matches(query.removesuffix(".md"), paths, lambda path: (path.stem,))


class Notes:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _folder(self, folder: str) -> Path:
        return self.folder / safe_name(folder.strip() or DEFAULT_FOLDER, "folder")

    def _existing_folder(self, folder: str) -> Path | None:
        """The folder named ``folder`` case-insensitively, or None if there is none."""
        wanted = self._folder(folder)
        if wanted.is_dir():
            return wanted
        if self.folder.is_dir():
            for d in self.folder.iterdir():
                if d.is_dir() and d.name.casefold() == wanted.name.casefold():
                    return d
        return None

    def find(self, name: str, folder: str = "") -> Path | None:
        """The note file for ``name`` (in ``folder``, or anywhere when folder is ""), or None."""
        if folder.strip():
            base = self._existing_folder(folder)
            candidates = sorted(base.glob("*.md")) if base else []
        else:
            candidates = sorted(self.folder.glob("*/*.md")) if self.folder.is_dir() else []
        try:
            stored = safe_name(name.removesuffix(".md"), "note")  # a long name is stored cut to fit the file system
        except StoreError:
            stored = name
        found = match_notes(stored, candidates)
        if len(found) > 1:
            listed = ", ".join(f"{p.parent.name}/{p.stem}" for p in found)
            raise StoreError(f"note name {name!r} is ambiguous: it matches {listed}")
        return found[0] if found else None

    def _inside(self, path: Path) -> Path:
        """`path`, refused if it (or its folder) is a link leading out of the notes folder.

        The files tool refuses such links too: a plan must never read or write outside the
        store because someone linked ``notes/Notes/x.md`` to ``~/.ssh/id_rsa``.
        """
        root = self.folder.resolve()
        real = path.resolve()
        if not real.is_relative_to(root):
            raise StoreError(f"note {path.stem!r} ({path}) leads to {real}, outside the notes folder {root}; refused")
        return path

    def create(self, name: str, content: str, folder: str = "") -> Path:
        base = self._existing_folder(folder) or self._folder(folder)
        path = self._inside(base / f"{safe_name(name, 'note')}.md")
        with locked(path):
            if path.exists():
                raise StoreError(
                    f"a note named {name!r} already exists ({path}); use append_note_content to add to it"
                )
            write_atomic(path, f"# {name.strip()}\n\n{content.strip()}\n".encode())
        return path

    def read(self, name: str, folder: str = "") -> str:
        path = self.find(name, folder)
        if path is None:
            where = f"folder {folder!r}" if folder.strip() else f"any folder of {self.folder}"
            raise StoreError(f"no note named {name!r} in {where}")
        return read_text(self._inside(path), "note")

    def append(self, name: str, content: str, folder: str = "") -> Path:
        """Append a paragraph; a note that does not exist yet is created (what the user meant)."""
        path = self.find(name, folder)
        if path is None:
            base = self._existing_folder(folder) or self._folder(folder)
            path = base / f"{safe_name(name, 'note')}.md"
        self._inside(path)
        with locked(path):
            old = read_text(path, "note") if path.exists() else f"# {name.strip()}\n"
            write_atomic(path, f"{old.rstrip()}\n\n{content.strip()}\n".encode())
        return path
