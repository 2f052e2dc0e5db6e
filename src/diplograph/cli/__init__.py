"""The command line: the app and entry point (``app``), what a command runs in (``env``),
shared options (``options``), rendering (``render``), one module per command group."""
