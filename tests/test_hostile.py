"""Hostile surroundings: closed and full streams, odd files, killed runs, long fields."""

from __future__ import annotations

import json
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
    assert done.stdout.startswith("Error: no entity named 'Nobody-At-All'")
    assert done.stdout.count("\n") == 1 and done.stderr == ""


def test_an_encoding_that_cannot_show_the_text():
    done = run("who-met", "Lukashenko", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot write the output in the ascii encoding")
    assert "Traceback" not in done.stderr
    # JSON can always be written: where the encoding cannot hold a character, it is
    # escaped (\u2026), and the JSON reads back the same, nothing lost
    ascii_json = run("who-met", "Lukashenko", "--format", "json", env={"PYTHONIOENCODING": "ascii"})
    assert ascii_json.returncode == 0, ascii_json.stderr
    assert "\\u2026" in ascii_json.stdout and ascii_json.stdout.isascii()
    utf8 = run("who-met", "Lukashenko", "--format", "json", env={"PYTHONIOENCODING": "utf-8"})
    assert json.loads(ascii_json.stdout) == json.loads(utf8.stdout)


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


# -- odd files -----------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused(cli, device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    result = cli("stats", data=device)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {device}: not a regular file (a device, pipe or socket is not data)\n"
    )


def test_a_fifo_is_refused(cli, tmp_path):
    fifo = tmp_path / "data.json"
    os.mkfifo(fifo)
    for data in (fifo, tmp_path):
        result = cli("stats", data=data)
        assert result.exit_code == 1
        assert (
            result.stderr
            == f"Error: {fifo}: not a regular file (a device, pipe or socket is not data)\n"
        )


def test_a_symlink_loop_in_a_folder(cli, tmp_path):
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    result = cli("stats", data=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'a.json'}: symbolic link loop\n"


def test_bus_error_says_the_data_changed(tmp_path):
    """A mapped file cut short by another program (SIGBUS): one line, exit 1."""
    script = tmp_path / "bus.py"
    target = tmp_path / "data.bin"
    script.write_text(
        "import mmap, os, sys\n"
        "from diplograph.cli.patches import on_bus_error\n"
        "on_bus_error()\n"
        f"path = {str(target)!r}\n"
        "open(path, 'wb').write(b'x' * (1 << 20))\n"
        "with open(path, 'rb') as f:\n"
        "    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
        "os.truncate(path, 0)\n"
        "print(len(m[:]))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "Error: data changed while it was read; run again\n"


# -- odd cache folders ---------------------------------------------------------------------


@pytest.fixture
def own_cache(monkeypatch, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("DIPLOGRAPH_CACHE_DIR", str(folder))
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    return folder


def _expected(cli, monkeypatch, data):
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "off")
    expected = cli("who-met", "Alice", "--format", "json", data=data).stdout
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    return expected


def test_a_cache_file_that_is_a_folder(cli, monkeypatch, own_cache, mini_path):
    from diplograph.store import cache

    expected = _expected(cli, monkeypatch, mini_path)
    name = cache.data_key(cache.with_vocabulary(cache.data_files(mini_path)))[0]
    (own_cache / name).mkdir()
    for _ in range(2):
        result = cli("who-met", "Alice", "--format", "json", data=mini_path)
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def _without_override() -> None:
    """(In a child, before exec) give up root's power to bypass file permissions:
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH leave the bounding set, so the program run
    next meets folder modes as any user does."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _as_plain_user(data: Path, folder: Path, mode: int, commands: list) -> list:
    """Each command's (exit code, stdout, stderr) on ``data``, run as root without its
    power over file permissions (root reads and writes any folder), the cache folder
    ``folder`` of ``mode``."""
    env = {"DIPLOGRAPH_CACHE_DIR": str(folder), "DIPLOGRAPH_CACHE": "on"}
    probe = folder.parent / "probe"
    probe.mkdir(mode=0o500)
    try:
        found = subprocess.run(
            [sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"],
            preexec_fn=_without_override,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot give up root's power over file permissions here")
    if found.returncode == 0:
        pytest.skip("root still writes any folder here")
    os.chmod(folder, mode)
    try:
        return [
            (r.returncode, r.stdout, r.stderr)
            for r in (
                run("--data", str(data), *c, env=env, preexec_fn=_without_override)
                for c in commands
            )
        ]
    finally:
        os.chmod(folder, 0o700)


@pytest.mark.parametrize("mode", [0o500, 0o600, 0o000])
def test_a_cache_folder_that_cannot_be_written_or_searched(
    cli, monkeypatch, own_cache, mini_path, mode
):
    expected = _expected(cli, monkeypatch, mini_path)
    if os.geteuid() == 0:
        who_met = ("who-met", "Alice", "--format", "json")
        search = ("search", "Alice", "--format", "json")
        found = _as_plain_user(mini_path, own_cache, mode, [who_met, search] * 2)
        assert found[0] == found[2] == (0, expected, "")
        assert found[1][0] == found[3][0] == 0
        assert not any(own_cache.iterdir())  # nothing could be written there
        return
    os.chmod(own_cache, mode)
    try:
        for _ in range(2):
            result = cli("who-met", "Alice", "--format", "json", data=mini_path)
            assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")
            result = cli("search", "Alice", "--format", "json", data=mini_path)
            assert result.exit_code == 0
    finally:
        os.chmod(own_cache, 0o700)


def test_data_replaced_during_a_first_query(cli, monkeypatch, own_cache, write_data):
    from diplograph.store import build

    doc = mini()
    path = write_data(doc)
    expected = _expected(cli, monkeypatch, path)
    original = build.build_streaming

    def replacing(files, progress=None):
        sections = original(files, progress)
        changed = mini()
        changed["entities"][0]["name"] = "Alice Changed"
        new = path.with_name("new.json")
        new.write_text(json.dumps(changed), encoding="utf-8")
        os.replace(new, path)
        return sections

    monkeypatch.setattr(build, "build_streaming", replacing)
    result = cli("who-met", "Alice", "--format", "json", data=path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")
    monkeypatch.setattr(build, "build_streaming", original)
    result = cli("who-met", "Alice Changed", "--format", "json", data=path)
    assert result.exit_code == 0  # the next run reads the new data
