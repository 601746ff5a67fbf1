"""PDF text extraction with pypdf (the input of the summarizer sub-agent)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from edgecall.assistant.store._io import StoreError

MAX_CHARS = 20_000


def pdf_text(path: Path, max_chars: int = MAX_CHARS) -> str:
    """All page text (up to ``max_chars``), or a StoreError naming the file."""
    try:
        with path.open("rb") as fh:
            if fh.read(5) != b"%PDF-":
                raise StoreError(f"{path} is not a PDF file")
        reader = PdfReader(path)
        parts: list[str] = []
        for page in reader.pages:
            parts.append(page.extract_text() or "")
            if sum(map(len, parts)) >= max_chars:
                break
    except FileNotFoundError:
        raise StoreError(f"PDF file {path} does not exist") from None
    except (PyPdfError, ValueError, KeyError) as exc:
        raise StoreError(f"{path} is a damaged PDF: {exc}") from None
    text = "\n".join(p.strip() for p in parts if p.strip())
    if not text:
        raise StoreError(f"{path} has no extractable text (a scanned PDF needs OCR first)")
    return text[:max_chars]
