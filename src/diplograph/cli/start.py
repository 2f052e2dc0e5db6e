"""The entry point (``diplograph``, ``python -m diplograph``): Ctrl-C is taken from the
first instant, then the command line is imported and run.

Importing the command line takes a tenth of a second or more. A Ctrl-C (or SIGTERM) in
that time would print a traceback, or be lost inside the import machinery and let the
command run on. Until ``app.main`` sets its own handlers, an interruption ends the
process at once, as one would end it later: "Interrupted" and exit 130 (nothing has
been written yet)."""

from __future__ import annotations

import os
import signal
from typing import Any


def _interrupted(signum: int, frame: Any) -> None:
    try:
        os.write(2, b"Interrupted\n")
    except OSError:  # (stderr closed)
        pass
    finally:
        os._exit(130)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)
    from .app import main as run

    run()
