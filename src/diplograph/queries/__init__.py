"""Questions asked of a ``Store``: pure functions, store (and resolved ids) in, rows out."""
