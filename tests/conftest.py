"""Shared fixtures: the bundled graph, a CLI runner, and small hand-made datasets."""

from __future__ import annotations

import atexit
import contextlib
import copy
import functools
import importlib
import json
import os
import shutil
import tempfile
from pathlib import Path

# Stable help text and table widths, set before typer is imported.
os.environ["TERMINAL_WIDTH"] = "200"
os.environ["COLUMNS"] = "200"
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ.pop("DIPLOGRAPH_DATA", None)
os.environ.pop("DIPLOGRAPH_CACHE", None)
# Never touch the real user cache from tests.
os.environ["DIPLOGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="diplograph-test-cache-")
atexit.register(shutil.rmtree, os.environ["DIPLOGRAPH_CACHE_DIR"], ignore_errors=True)

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from diplograph import parallel  # noqa: E402
from diplograph.cli.app import app  # noqa: E402
from reference import load_graph  # noqa: E402

# Typer's test runner turns the app into a Click command on every invoke (60-90 ms of
# signature reading, most of an in-process CLI test's time); the command is the same each
# time, so build it once. A process of `diplograph` builds it once too.
_typer_testing = importlib.import_module("typer.testing")
_typer_testing._get_command = functools.cache(_typer_testing._get_command)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTICLE = SHARED / "sources" / "carnegie-2025-06-24-belarus-us-visit.txt"
SCHEMAS = SHARED / "schemas"

MINI = {
    "schema_version": 1,
    "sources": [{"id": "src", "title": "T", "publisher": "P", "published": "2025-06-24"}],
    "entities": [
        {"id": "alice", "name": "Alice Árvíz", "type": "person", "aliases": ["Ally"]},
        {"id": "bob", "name": "Bob Smith", "type": "person"},
        {"id": "carol", "name": "Carol Smith", "type": "person"},
        {"id": "dan", "name": "Dan Doe", "type": "person"},
        {"id": "minsk", "name": "Minsk", "type": "place"},
    ],
    "relations": [
        {
            "id": "r1",
            "type": "met",
            "source": "alice",
            "target": "bob",
            "date": "2025-04",
            "place": "minsk",
            "certainty": "stated",
            "evidence": [{"source": "src", "quote": "Alice met Bob"}],
        },
        {
            "id": "r2",
            "type": "released",
            "source": "bob",
            "target": "carol",
            "date": "2025-04-10",
            "certainty": "reported",
            "reported_by": "dan",
            "evidence": [{"source": "src", "quote": "Bob released Carol"}],
        },
        {
            "id": "r3",
            "type": "met",
            "source": "carol",
            "target": "dan",
            "date": "2025-02",
            "certainty": "hedged",
            "evidence": [{"source": "src", "quote": "Carol met Dan"}],
        },
        {
            "id": "r4",
            "type": "sanctions",
            "source": "alice",
            "target": "dan",
            "certainty": "hypothetical",
            "evidence": [{"source": "src", "quote": "could"}],
        },
    ],
}


def mini() -> dict:
    """A fresh copy of the small test dataset."""
    return copy.deepcopy(MINI)


@pytest.fixture(scope="session")
def graph():
    """The bundled dataset."""
    return load_graph()


@pytest.fixture
def write_data(tmp_path):
    """Write a data document (dict or raw text) to a file and return its path."""

    def write(doc, name: str = "data.json") -> Path:
        path = tmp_path / name
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        elif isinstance(doc, str):
            path.write_text(doc, encoding="utf-8")
        else:
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def mini_path(write_data):
    return write_data(mini())


@pytest.fixture
def cli():
    """Run the CLI; returns the click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def run(*args: str, data: Path | str | None = None, input: str | None = None):
        argv = (["--data", str(data)] if data is not None else []) + [str(a) for a in args]
        return runner.invoke(app, argv, input=input, catch_exceptions=False)

    return run


def last_error(result) -> str:
    """The last line of stderr."""
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def schema_validator():
    """shared/schemas/validate.py, or skip when the folder (or lxml) is absent."""
    import sys

    if not (SCHEMAS / "validate.py").exists():
        pytest.skip("../shared/schemas not present")
    pytest.importorskip("lxml")
    sys.path.insert(0, str(SCHEMAS))
    try:
        import validate
    finally:
        sys.path.pop(0)
    return validate


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(tmp_path, *extra: str) -> list[str]:
    """Headless Chromium as root on a machine with no network, with a fresh profile."""
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *extra,
    ]


class Gate:
    """Orders the two processes of a parallel pass without timing: in the process that
    waits (``waiting``: "parent" or "child"), ``wait()`` returns only once the other has
    done its part: the child has ended, or the parent has taken every chunk and waits for
    the child (a pipe whose write end only the parent keeps open, closed in
    ``Child.wait``: reading it ends then)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, waiting: str):
        self.waiting = waiting
        self.parent = os.getpid()
        self.forked = False
        self.child = 0
        self.read, self.write = os.pipe()
        fork = os.fork

        def forking() -> int:
            pid = fork()
            self.forked, self.child = True, pid
            if (pid != 0) == (waiting == "parent"):  # this side waits: it keeps no write end
                self._close_write()
            return pid

        monkeypatch.setattr(os, "fork", forking)
        if waiting == "child":
            real_wait = parallel.Child.wait

            def wait(child: parallel.Child) -> int:
                self._close_write()  # every chunk taken: let the child go on
                return real_wait(child)

            monkeypatch.setattr(parallel.Child, "wait", wait)

    def _close_write(self) -> None:
        """Close this process's write end, once (its number may be reused afterwards)."""
        if self.write >= 0:
            os.close(self.write)
            self.write = -1

    def here(self) -> bool:
        """Whether this is the process that waits (once there are two)."""
        return self.forked and (os.getpid() == self.parent) == (self.waiting == "parent")

    def wait(self) -> None:
        """Block until the other process is done (at once, after the first time): the
        child has ended (and can be reaped: it is left for the code under test to reap),
        or the parent has closed its end of the pipe."""
        if self.waiting == "parent":
            with contextlib.suppress(ChildProcessError):  # reaped already: it has ended
                os.waitid(os.P_PID, self.child, os.WEXITED | os.WNOWAIT)
            return
        while os.read(self.read, 4096):
            pass


def unplaced(text: str) -> str:
    """``validate``'s problems without the line and record id it adds
    ("data.json:12: relations[4] 'r4'.type" -> "data.json: relations[4].type")."""
    import re

    return re.sub(r"(\.json):\d+: (\w+\[\d+\]) '[^']*'", r"\1: \2", text)


# -- how much of the randomized tests runs -------------------------------------------------
#: ``DIPLOGRAPH_TESTS=all`` (``.ci/run``): every seed and example of the long randomized
#: tests (byte flips, fuzzing, random damage). By default a few of each run and the
#: cases marked ``slow`` are left out (``pytest -m slow`` runs only those).
ALL = os.environ.get("DIPLOGRAPH_TESTS", "").lower() == "all"
slow = pytest.mark.slow
#: A test that takes seconds however it is run: scheduled first, so that a run over
#: several processes does not end waiting on one of these.
long = pytest.mark.long


def budget(full: int, default: int) -> int:
    """Hypothesis examples for a long property test: ``full`` with DIPLOGRAPH_TESTS=all."""
    return full if ALL else default


def some_slow(values, default: int, ids=None) -> list:
    """``values`` as parameters, all but the first ``default`` marked ``slow``."""
    return [
        pytest.param(value, marks=() if n < default else slow, id=None if ids is None else ids[n])
        for n, value in enumerate(values)
    ]


def pytest_collection_modifyitems(config, items):
    """The tests marked ``long`` first; leave out the cases marked ``slow`` unless all
    are asked for (DIPLOGRAPH_TESTS=all) or the marks are chosen (``-m slow``)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # (stable)
    if ALL or config.option.markexpr:
        return
    kept, left = [], []
    for item in items:
        (left if item.get_closest_marker("slow") else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """With pytest-xdist installed (the test extra has it), the tests run in one process
    per core unless ``-n`` says otherwise (``-n 0``: in this process; ``-p no:xdist``)."""
    if (
        config.pluginmanager.hasplugin("xdist")
        and getattr(config.option, "numprocesses", 0) is None
        and not hasattr(config, "workerinput")
        and not config.getoption("collectonly")
        and not config.getoption("usepdb", False)
    ):
        config.option.numprocesses = "auto"
