"""``cli/patches.py``: each thing the command line does past Typer's and Click's public
API, and each process setting, tested on its own, so that a Typer release that changes
what one relies on fails here. (The SIGBUS handler: ``test_hostile.py``; the usage-error
suggestions through the CLI: ``test_cli_small_breaks.py`` and ``test_cli_suggest.py``.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from diplograph.cli import patches
from diplograph.cli.app import app


def _commands(command, path=()):
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _help(*path: str) -> str:
    return CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100"}).stdout


# -- help that reads as written -------------------------------------------------------------


def test_every_option_names_its_value():
    """Public ``metavar=`` everywhere, so no patch of option metavars is needed: a value
    is named after its option, a choice lists its values."""
    for path, command in COMMANDS:
        for param in command.params:
            if param.param_type_name == "argument":
                assert param.metavar, (path, param.name)
                continue
            if param.is_flag or param.count:
                continue
            assert param.metavar, (path, param.opts)
            choices = getattr(param.type, "choices", None)
            if choices is not None:  # (in the order that reads best: in|out|both)
                assert set(param.metavar.split("|")) == set(map(str, choices)), param.opts


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "root")
def test_help_has_no_typer_placeholders(path):
    shown = _help(*path)
    assert shown.startswith("Usage: diplograph")
    for placeholder in ("<str>", "<int", "<float", "<choice", "TEXT:"):
        assert placeholder not in shown, (path, placeholder)
    assert not re.search(r"\{[A-Z_.]+\}", shown), path  # ({NAME}: Typer's usage)


def test_a_required_argument_is_written_plainly():
    usage = _help("who-met").splitlines()[0]
    assert usage == "Usage: diplograph who-met [OPTIONS] NAME"  # Typer alone: {NAME}
    assert _help("export").splitlines()[0] == "Usage: diplograph export [OPTIONS] [NAME]"


def test_argument_patch_is_applied_once():
    before = typer.core.TyperArgument.make_metavar
    patches.plain_help(app)
    assert typer.core.TyperArgument.make_metavar is before
    assert getattr(before, "plain", False)


def test_command_summaries_are_whole_sentences():
    """Each command listed in a group's help is summed up by its whole first sentence
    (Click would cut it at 45 characters with "...")."""
    for path, command in COMMANDS:
        for name, sub in (getattr(command, "commands", None) or {}).items():
            if sub.hidden:
                continue
            text = sub.get_short_help_str(45)
            assert text and not text.endswith("..."), (path, name)
            joined = "".join(_help(*path).split())  # (help wraps at spaces and hyphens)
            assert "".join(f"{name} {text}".split()) in joined, (path, name)
    assert patches.summary("Add an entity. Then more.\n\nDetails.") == "Add an entity."
    assert patches.summary("One line\nwrapped") == "One line wrapped"


# -- the root group: Click's messages, extended -----------------------------------------


def test_choice_messages_keep_the_shape_the_suggestion_reads():
    """The did-you-mean of a choice reads Click's "'x' is not one of ..." message: if
    Typer rewords it, this fails (and no suggestion is silently lost)."""
    result = CliRunner().invoke(app, ["who-met", "Lukashenko", "--format", "it's"])
    error = result.stderr.strip().splitlines()[-1]
    assert patches.NOT_A_CHOICE.search(error.split(": ", 2)[-1])
    near = CliRunner().invoke(app, ["who-met", "Lukashenko", "--format", "jsonn"])
    assert near.stderr.strip().endswith("(did you mean 'json'?)")


def test_no_such_option_keeps_its_attributes():
    """The option suggestion reads ``option_name`` and replaces ``possibilities``."""
    from typer._click.exceptions import NoSuchOption

    error = NoSuchOption("--from", possibilities=["--format"])
    assert error.option_name == "--from" and error.possibilities == ["--format"]
    assert error.format_message() == "No such option: --from (Possible options: --format)"


def test_the_root_group_is_ours():
    assert isinstance(typer.main.get_command(app), patches.Group)


# -- the process ----------------------------------------------------------------------------


def _run(code: str, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, **options
    )


def test_main_runs_the_command_without_the_cycle_collector():
    code = (
        "import gc, os, sys\n"
        "import diplograph.cli.app as cli\n"
        "real = cli.app\n"
        "def probe():\n"
        "    print('gc', gc.isenabled(), os.environ.get('OPENBLAS_NUM_THREADS'))\n"
        "    real()\n"
        "cli.app = probe\n"
        "sys.argv = ['diplograph', '--version']\n"
        "cli.main()\n"
    )
    done = _run(code, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "gc False 1"
    assert done.stdout.splitlines()[1].startswith("diplograph ")


def test_the_library_keeps_the_cycle_collector():
    done = _run("import gc, diplograph\ng = diplograph.open()\nprint(gc.isenabled())")
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("code", "status", "stdout", "stderr"),
    [
        ("None", 0, "written", ""),
        ("3", 3, "written", ""),
        ("'Error: said so'", 1, "written", "Error: said so\n"),
    ],
)
def test_end_flushes_and_exits_at_once(code, status, stdout, stderr):
    script = (
        "import atexit, sys\n"
        "from diplograph.cli.patches import end\n"
        "atexit.register(lambda: print('atexit ran'))\n"  # os._exit: never runs
        "sys.stdout.write('written')\n"
        f"end({code})\n"
    )
    done = _run(script)
    assert (done.returncode, done.stdout, done.stderr) == (status, stdout, stderr)


def test_end_says_when_the_output_cannot_be_written(tmp_path):
    script = "import sys\nfrom diplograph.cli.patches import end\nsys.stdout.write('x')\nend(0)\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # (buffered)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", script], stdout=full, stderr=subprocess.PIPE, text=True, env=env
        )
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: No space left on device\n"
