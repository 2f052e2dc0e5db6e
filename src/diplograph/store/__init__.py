"""Where queries get the data: the ``Store`` protocol and the packed store (its file
format, how it is built, its search file, and the cache that keeps it between runs)."""
