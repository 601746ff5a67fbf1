"""Handing a file or URL to the desktop (``xdg-open``), used only when the config asks for it."""

from __future__ import annotations

import shutil
import subprocess
import webbrowser

from edgecall.tools.cancel import checkpoint


def desktop_open(target: str) -> None:
    """Open ``target`` in the user's default app without waiting for it; ``xdg-open`` is the
    freedesktop.org standard, Python's ``webbrowser`` the fallback where it is missing."""
    checkpoint(f"opening {target}")
    opener = shutil.which("xdg-open")
    if opener:
        subprocess.Popen(
            [opener, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
    else:
        webbrowser.open(target)
