"""Keep README examples real: rerun every ``$ diplograph ...`` line in a console block.

    python scripts/readme.py          # rewrite the outputs in README.md
    python scripts/readme.py --check  # exit 1 if any output differs (tests run this)

Commands run as ``python -m diplograph`` on the bundled data, 100 columns wide, no
colour, in a scratch folder (holding ``EXAMPLE_FILES``); stdout and stderr are both shown,
as a terminal would.

``extract`` shows spaCy's parse: where the ``nlp`` extra or its pipeline is not installed
(a plain ``pip install -e '.[test]'``), its recorded output is kept as it is and said so,
rather than replaced by the rule-based fallback's.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
#: Files the examples read, copied into their scratch folder first ("Curating").
EXAMPLE_FILES = [README.parent / "docs" / "harbour-talks.txt"]
BLOCK = re.compile(r"(```console\n)(.*?)(```)", re.S)


def needs_missing_pipeline(command: str) -> bool:
    """True for an ``extract`` run that would use spaCy's pipeline where it is absent."""
    args = shlex.split(command)
    if "extract" not in args or "rules" in args:
        return False
    return not all(importlib.util.find_spec(m) for m in ("spacy", "en_core_web_sm"))


def run(command: str, cwd: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("DIPLOGRAPH_DATA", None)
    args = shlex.split(command)[1:]
    result = subprocess.run(
        [sys.executable, "-m", "diplograph", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    text = result.stdout + result.stderr
    return "\n".join(line.rstrip() for line in text.splitlines())


def render_block(body: str, cwd: str) -> str:
    out: list[str] = []
    for chunk in re.split(r"^(?=\$ )", body, flags=re.M):
        if not chunk.strip():
            continue
        command = chunk.splitlines()[0][2:]
        out.append(f"$ {command}")
        if command.startswith("diplograph ") and needs_missing_pipeline(command):
            print(f"note: spaCy's pipeline is not installed; kept the output of: {command}")
            out.extend(chunk.rstrip("\n").splitlines()[1:])
        elif command.startswith("diplograph "):
            output = run(command, cwd)
            if output:
                out.append(output)
        else:
            out.extend(chunk.splitlines()[1:])
    return "\n".join(out) + "\n"


def rendered(text: str) -> str:
    with tempfile.TemporaryDirectory() as cwd:
        for file in EXAMPLE_FILES:
            shutil.copy(file, cwd)
        return BLOCK.sub(lambda m: m[1] + render_block(m[2], cwd) + m[3], text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = rendered(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md examples are out of date: run python scripts/readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
