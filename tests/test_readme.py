"""README examples are real: each ``$ diplograph ...`` output matches a fresh run."""

import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.long
def test_readme_examples_are_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_quick_start_has_two_lines():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == [
        "pip install . && diplograph who-met Lukashenko",
        "pip install -e '.[test]' && pytest",
    ]
