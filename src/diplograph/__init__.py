"""diplograph: a command-line knowledge-graph explorer for diplomacy."""

__version__ = "0.1.0"
