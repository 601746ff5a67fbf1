"""`python -m edgecall.cli` runs the command line (same as the `edgecall` script)."""

from .main import app

app()
