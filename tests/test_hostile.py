"""Hostile surroundings: closed and full streams, odd files, killed runs, long fields."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import mini

DIPLOGRAPH = [sys.executable, "-m", "diplograph"]


def run(*args: str, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DIPLOGRAPH, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        **options,
    )


def shell(command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``command`` run by sh, with ``diplograph`` standing for this Python's module."""
    line = command.replace("diplograph", " ".join(DIPLOGRAPH))
    return subprocess.run(
        ["sh", "-c", line],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.mark.parametrize("args", ["--help", "who-met Lukashenko", "stats --format json"])
def test_stdout_closed(args):
    done = shell(f"diplograph {args} >&-")
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize("args", ["--help", "who-met Lukashenko", "stats --format csv"])
def test_stdout_full(args):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    done = shell(f"diplograph {args} > /dev/full")
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: No space left on device\n"


def test_stderr_closed_errors_go_to_stdout():
    done = shell("diplograph who-met Nobody-At-All 2>&-")
    assert done.returncode == 1
    assert done.stdout == "Error: no entity named 'Nobody-At-All'\n"


def test_an_encoding_that_cannot_show_the_text():
    done = run("who-met", "Lukashenko", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot write the output in the ascii encoding")
    assert "Traceback" not in done.stderr
    assert (
        run(
            "who-met", "Lukashenko", "--format", "json", env={"PYTHONIOENCODING": "ascii"}
        ).returncode
        == 0
    )


# -- leftovers of killed runs --------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_temp_files_of_dead_processes_are_removed(cli, monkeypatch, mini_path, tmp_path):
    from diplograph.store import cache

    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dead, alive = _dead_pid(), os.getpid()
    left = [folder / f".pack.{dead}.abc", folder / f".search.{dead}.xyz"]
    kept = [folder / f".pack.{alive}.abc", folder / "unrelated.txt"]
    for path in (*left, *kept):
        path.write_bytes(b"x" * 10)
    assert cli("who-met", "Alice", data=mini_path).exit_code == 0
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in kept)
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / f".g.graphml.{dead}.q1.tmp", out / f".n4.{dead}.q2"]
    stale[1].mkdir()
    (stale[1] / "nodes.csv").write_text("x")
    stale[0].write_text("x")
    assert (
        cli("export", "--format", "graphml", "-o", out / "g.graphml", data=mini_path).exit_code == 0
    )
    assert cli("export", "--format", "neo4j", "-o", out / "n4", data=mini_path).exit_code == 0
    assert not any(path.exists() for path in stale)


def test_the_neo4j_folder_gets_the_mode_of_files(cli, mini_path, tmp_path):
    old = os.umask(0o022)
    try:
        assert (
            cli("export", "--format", "neo4j", "-o", tmp_path / "n4", data=mini_path).exit_code == 0
        )
    finally:
        os.umask(old)
    assert (tmp_path / "n4").stat().st_mode & 0o777 == 0o755


def test_the_child_dies_with_its_parent(tmp_path):
    """A forked child (parallel.forked) is killed by the kernel when its parent dies."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from diplograph.parallel import forked\n"
        "def work():\n"
        "    time.sleep(60)\n"
        "    return 0\n"
        "with forked(work) as child:\n"
        "    print(child.pid, flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(parent.pid, 9)
    parent.wait()
    for _ in range(200):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        if (
            Path(f"/proc/{child}/stat").exists()
            and ") Z" in Path(f"/proc/{child}/stat").read_text()
        ):
            return  # ended, not yet reaped by init
        import time

        time.sleep(0.01)
    pytest.fail("the child outlived its parent by two seconds")


# -- long fields, control characters -------------------------------------------------------


def test_a_long_field_is_cut_in_tables_only(cli, write_data):
    doc = mini()
    doc["entities"][1]["description"] = "word " * 1_600_000  # 8 MB
    path = write_data(doc)
    import time

    started = time.monotonic()
    table = cli("show", "Bob Smith", data=path)
    assert time.monotonic() - started < 5
    assert "[7,998,000 more characters: --format json shows all]" in table.stdout
    full = cli("show", "Bob Smith", "--format", "json", data=path)
    assert len(full.stdout) > 8_000_000


def test_c1_controls_are_refused(cli, write_data):
    doc = mini()
    doc["entities"][1]["name"] = "Bob \x9b31m Smith"
    path = write_data(doc)
    result = cli("stats", data=path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: entities[1].name: contains a control character\n"


def test_errors_stay_on_one_line(cli, mini_path):
    result = cli("who-met", "Al\nice\x9b", data=mini_path)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "\\n" in result.stderr and "\\x9b" in result.stderr
