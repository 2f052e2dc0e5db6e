"""``python -m diplograph``: the command line."""

from .cli.start import main

main()
