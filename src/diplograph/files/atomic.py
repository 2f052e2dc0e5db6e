"""Files written whole: a temporary file (or folder) beside the target, fsynced, renamed
over it. A failure or Ctrl-C leaves the target as it was; a killed writer's temporary
file is removed by the next write (its name holds the writer's process id)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..model.errors import ExportError


def prepare_target(output: str, force: bool) -> tuple[Path, Path]:
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{output}: folder '{folder}' does not exist")
    if (target.exists() or target.is_symlink()) and not force:
        raise ExportError(f"{output}: already exists (use --force to overwrite)")
    return target, folder


def _file_mode(target: Path, folder: bool = False) -> int:
    """The mode a new file (or ``folder``) would get (keeping an existing one's mode when
    replacing it)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def _temp_prefix(target: Path) -> str:
    """The prefix of a temporary file or folder written for ``target``, naming this
    process, after the stale ones of killed processes are removed (``_remove_stale``)."""
    _remove_stale(target.parent, f".{target.name}.")
    return f".{target.name}.{os.getpid()}."


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove the temporary files and folders beside a target that processes killed
    while writing left (their name holds their process id, and it no longer runs)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        path = folder / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


def write_atomic(
    data: bytes | Callable[[BinaryIO], None], output: str, force: bool = False
) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``output`` ('-'
    for stdout) via a temporary file and rename.

    Refuses to replace an existing file unless ``force``. On any failure (or Ctrl-C)
    the temporary file is removed and an existing target is left untouched.
    """
    if output == "-":
        import sys

        if callable(data):
            data(sys.stdout.buffer)
        else:
            sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if Path(output).is_dir():
        raise ExportError(f"{output}: is a folder; give a file name")
    target, _ = prepare_target(output, force)
    replace_file(target, data, ExportError, output)


def replace_file(
    target: Path,
    data: bytes | Callable[[BinaryIO], None],
    error: type[Exception] = ExportError,
    shown: str | None = None,
) -> None:
    """Put ``data`` at ``target``: a temporary file in the same folder (named for this
    process, so a killed run's is removed by the next), fsynced, given the mode the
    file has or would get, then renamed over it. On any failure (or Ctrl-C) the
    temporary file is removed and an existing file is left as it was; an OSError becomes
    ``error`` naming ``shown`` (default: the target)."""
    shown = str(target) if shown is None else shown
    folder = target.parent
    try:
        handle, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error(f"{shown}: cannot write in '{folder}' ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if callable(data):
                data(out)
            else:
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _file_mode(target))
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise error(f"{shown}: cannot write ({exc.strerror})") from None
        raise
    sync_folder(folder)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be
    opened or synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_folder_atomic(files: dict[str, bytes], output: str, force: bool = False) -> None:
    """Write several files as one folder: built beside the target, then renamed into place.

    An existing folder is replaced only with ``force``, and only once the new one is
    complete; on failure nothing changes.
    """
    if output == "-":
        raise ExportError("this format writes a folder of files: give --output FOLDER, not '-'")
    target, folder = prepare_target(output, force)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{output}: is a file; this format writes a folder")
    try:
        temp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), dir=folder))
        os.chmod(temp, _file_mode(target, folder=True))  # (mkdtemp makes it 0700)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write in '{folder}' ({exc.strerror})") from None
    old = None
    try:
        for name, data in files.items():
            with open(temp / name, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        sync_folder(temp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=folder))
            os.replace(target, old / "previous")
        os.replace(temp, target)
        sync_folder(folder)
    except BaseException as exc:
        if old is not None and not target.exists():
            os.replace(old / "previous", target)
        shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write ({exc.strerror})") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
