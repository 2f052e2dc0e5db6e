"""The data on disk: where it is, a folder read as one, files written whole.

``locate`` finds the data a user means (a path, ``$DIPLOGRAPH_DATA``, the bundled data)
and the files to read in it, with the bundled vocabulary first; ``merged`` reads a folder
whose data files share identifiers as one merged file; ``atomic`` writes a file or folder
through a temporary one and a rename, so no reader ever sees half of it.
"""
