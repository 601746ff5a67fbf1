"""The README's Python API example runs as written, with the real packaged model."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "README has no python example"
    script = tmp_path / "example.py"
    script.write_text(blocks[0], encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "Sunny and 24C in Berlin", out.stdout  # the tool's answer, as shown


def test_readme_commands_are_the_ci_commands():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = re.search(r"Install and run the whole test suite.*?```bash\n(.*?)\n```", text, re.DOTALL).group(1)
    assert test_cmd in ci
    run_cmd = re.search(r"Install and run the main job.*?```bash\n(.*?)\n```", text, re.DOTALL).group(1)
    assert "edgecall run" in run_cmd
