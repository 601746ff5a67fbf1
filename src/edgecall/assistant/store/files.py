"""Files: find a file by fuzzy name under the configured roots (the paper used Spotlight),
and make sure no path a plan passes ever leads outside those roots.
"""

from __future__ import annotations

import os
import re
from difflib import SequenceMatcher
from pathlib import Path

from edgecall.assistant.store._io import StoreError
from edgecall.assistant.store.contacts import normalize

FUZZY_THRESHOLD = 0.75
MAX_FILES = 50_000


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", normalize(text)) if w]


def match_score(query: str, path: Path) -> float:
    """How well a file name matches the query; 0 means no match (pure).

    Exact name > exact stem > every query word starts a name word > substring > fuzzy.
    """
    q, name, stem = normalize(query), normalize(path.name), normalize(path.stem)
    if q == name:
        return 5.0
    if q == stem:
        return 4.0
    qw, nw = _words(query), _words(path.name)
    if qw and all(any(t.startswith(w) for t in nw) for w in qw):
        return 3.0
    if q and q in name:
        return 2.0
    ratio = SequenceMatcher(None, "".join(qw), "".join(_words(path.stem))).ratio()
    return ratio if ratio >= FUZZY_THRESHOLD else 0.0


class Files:
    def __init__(self, roots: list[Path]) -> None:
        self.roots = [r.expanduser().resolve() for r in roots]

    def _walk(self) -> list[Path]:
        out: list[Path] = []
        for root in self.roots:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                out.extend(Path(dirpath, f) for f in sorted(filenames) if not f.startswith("."))
                if len(out) > MAX_FILES:
                    return out
        return out

    def inside_roots(self, path: Path) -> bool:
        real = path.resolve()
        return any(real.is_relative_to(root) for root in self.roots)

    def find(self, file_name: str) -> Path:
        """The best match for ``file_name``; ties go to the shorter name, then the newest file."""
        if not file_name.strip():
            raise StoreError("open_and_get_file_path needs a file name")
        scored = [(match_score(file_name, p), p) for p in self._walk()]
        scored = [(s, p) for s, p in scored if s > 0 and p.is_file() and self.inside_roots(p)]
        if not scored:
            roots = ", ".join(str(r) for r in self.roots) or "(no roots configured)"
            raise StoreError(f"no file matching {file_name!r} under {roots}")
        best = max(s for s, _ in scored)
        candidates = [p for s, p in scored if s == best]
        return min(candidates, key=lambda p: (len(p.name), -p.stat().st_mtime))

    def resolve(self, path_or_name: str) -> Path:
        """A path from a plan (e.g. "$1") checked to lie inside the roots, or a name to search."""
        text = path_or_name.strip()
        if not text:
            raise StoreError("a file path or name is required")
        candidate = Path(text).expanduser()
        if candidate.is_absolute() or text.startswith(("./", "../", "~")):
            if not self.inside_roots(candidate):
                raise StoreError(f"{text} is outside the allowed folders ({', '.join(map(str, self.roots))})")
            if not candidate.is_file():
                raise StoreError(f"file {candidate} does not exist")
            return candidate.resolve()
        return self.find(text)
