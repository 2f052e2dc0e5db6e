"""Reading data files and checking them: the full checker, the fast decoder, the
streaming checker. Every problem is named with its file and place."""
