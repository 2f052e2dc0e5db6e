"""Where the data is: the path asked for, ``$DIPLOGRAPH_DATA`` or the bundled dataset;
the data files in it (a file, or a folder's ``*.json`` in name order), with the bundled
relation vocabulary first."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..model.errors import DataError

ENV_VAR = "DIPLOGRAPH_DATA"
VOCABULARY_FILE = "vocabulary.json"
_NOT_DATA = {"schema.json", "cameo.json"}  # cameo.json: the importers' CAMEO mapping


def bundled_data_dir() -> Path:
    """The dataset shipped with diplograph (inside the wheel, or data/ in a source checkout)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "data"
    return installed if installed.is_dir() else package.parents[1] / "data"


def data_files(path: Path) -> list[Path]:
    """The JSON data files at ``path`` (a file, or a folder's ``*.json`` in name order).

    Only regular files are read: a device (``/dev/zero``), a pipe or a socket has no
    end to read to, so naming one is an error, as is a symbolic link that leads nowhere
    or in a loop."""
    found = _stat(path, missing="no such file or folder")
    if stat.S_ISDIR(found.st_mode):
        try:
            files = sorted(
                p
                for p in path.glob("*.json")
                if p.name not in _NOT_DATA and not p.name.endswith(".schema.json")
            )
        except OSError as exc:
            raise DataError([f"{path}: cannot read the folder ({exc.strerror})"]) from None
        if not files:
            raise DataError([f"{path}: no data files (*.json) in this folder"])
        for file in files:
            regular_file(file)
        return files
    return [regular_file(path, found)]


def regular_file(path: Path, found: os.stat_result | None = None) -> Path:
    """``path``, when it is a regular file (following links); else DataError."""
    if found is None:
        found = _stat(path)
    if not stat.S_ISREG(found.st_mode):
        raise DataError([f"{path}: not a regular file (a device, pipe or socket is not data)"])
    return path


def _stat(path: Path, missing: str | None = None) -> os.stat_result:
    """``path.stat()``, following links; a failure as DataError naming what is wrong
    (``missing``: the words for a path that is not there, else "cannot read")."""
    try:
        return path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataError([f"{path}: symbolic link loop"]) from None
        if path.is_symlink():
            raise DataError([f"{path}: broken symbolic link"]) from None
        if missing is not None and isinstance(exc, FileNotFoundError):
            raise DataError([f"{path}: {missing}"]) from None
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None


def resolve_data_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The data the user asked for: ``path``, else $DIPLOGRAPH_DATA, else the bundled dataset."""
    if path is not None and str(path) != "":
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else bundled_data_dir()


def with_vocabulary(files: list[Path]) -> list[Path]:
    """The data files, preceded by the bundled relation vocabulary unless already there."""
    vocabulary = bundled_data_dir() / VOCABULARY_FILE
    resolved = {f.resolve() for f in files}
    if vocabulary.exists() and vocabulary.resolve() not in resolved:
        return [vocabulary, *files]
    return files


def read_documents(path: Path) -> list[tuple[str, dict]]:
    """Read and check every file (always with the bundled vocabulary first).

    Raises DataError listing every problem in every file.
    """
    from ..check.files import check_files

    return check_files(with_vocabulary(data_files(path)))
