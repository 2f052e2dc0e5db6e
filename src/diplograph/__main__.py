"""``python -m diplograph``: the command line."""

from .cli.app import main

main()
