"""Two processes sharing one long pass: a forked child, chunks claimed from both ends.

Every parallel pass in diplograph (building the cache, checking records, folding quotes
for the search file) has the same shape: the parent forks a child (``forked``), both take
chunks of the work (``Claims``: the parent from the front, the child from the back,
until they meet; or a fixed share), the child writes what it made to a temporary file
(``send_arrays``) and exits with a code, and the parent reads it back
(``received_arrays``). If the child fails for any reason, the parent does its part too.

The child never returns into the caller's code: it runs one function and ends with
``os._exit``. It takes Ctrl-C as a plain signal (the parent handles the interruption),
and it ends when the parent dies (Linux: PR_SET_PDEATHSIG), so a killed command never
leaves a worker behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import struct
from array import array
from collections.abc import Callable, Iterator
from typing import Any

import msgspec

#: The exit code of a child whose work raised (or was killed before it could say).
CHILD_FAILED = 3


def two_processes() -> bool:
    """Whether large work may be split with a forked child."""
    return hasattr(os, "fork") and _cpus() >= 2


def _cpus() -> int:
    """The cores this process may use; $DIPLOGRAPH_JOBS=1 keeps the work in one process."""
    jobs = os.environ.get("DIPLOGRAPH_JOBS", "").strip()
    if jobs.isdigit() and int(jobs) > 0:
        return int(jobs)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Child:
    """A forked child, seen from the parent: its exit code once it has ended."""

    def __init__(self, pid: int):
        self.pid = pid
        self.code: int | None = None  # its exit code, once reaped

    def poll(self) -> int | None:
        """Its exit code if it has ended, else None (never waits)."""
        if self.code is None:
            ended, status = os.waitpid(self.pid, os.WNOHANG)
            if ended:
                self.code = os.waitstatus_to_exitcode(status)
        return self.code

    def wait(self) -> int:
        """Its exit code, once it has ended."""
        if self.code is None:
            _, status = os.waitpid(self.pid, 0)
            self.code = os.waitstatus_to_exitcode(status)
        return self.code

    def stop(self) -> None:
        """End it now if it still runs (an error, an interruption, an early answer)."""
        if self.code is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                self.wait()
            if self.code is None:
                self.code = -signal.SIGKILL


@contextlib.contextmanager
def forked(work: Callable[[], int]) -> Iterator[Child]:
    """Run ``work()`` in a forked child; its return value is the child's exit code (an
    exception: CHILD_FAILED). Yields the Child; a child still running when the block ends
    is killed. Flush every file the child may share before calling."""
    pid = os.fork()
    if pid == 0:  # the child: never returns, never touches the terminal
        code = CHILD_FAILED
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with_parent()
            code = work()
        finally:
            os._exit(code)
    child = Child(pid)
    try:
        yield child
    finally:
        child.stop()


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to kill this (child) process when its parent dies (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took hold
        os._exit(CHILD_FAILED)


class Claims:
    """Chunks 0 .. count - 1 shared by two processes: the parent takes them from the
    front, the child from the back, until they meet; whoever is faster takes more (the
    parent often has other work too, and either may be slowed by the machine). Two
    counters in memory shared across the fork, read and moved under a lock on a file
    (an fcntl lock belongs to its process: it cannot outlive a killed child)."""

    def __init__(self, count: int, lock: Any):
        """Raises OSError where the file cannot be locked (then: one process)."""
        import fcntl
        import mmap

        self.lock = lock
        fcntl.lockf(lock, fcntl.LOCK_EX)  # the lock works on this file system
        fcntl.lockf(lock, fcntl.LOCK_UN)
        self.shared = mmap.mmap(-1, 16)  # anonymous and shared: both processes see it
        struct.pack_into("qq", self.shared, 0, 0, count)

    def _take(self, front: bool) -> int | None:
        import fcntl

        fcntl.lockf(self.lock, fcntl.LOCK_EX)
        try:
            first, end = struct.unpack_from("qq", self.shared)
            if first >= end:
                return None
            if front:
                struct.pack_into("q", self.shared, 0, first + 1)
                return first
            struct.pack_into("q", self.shared, 8, end - 1)
            return end - 1
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN)

    def front(self) -> Iterator[int]:
        while (k := self._take(True)) is not None:
            yield k

    def back(self) -> Iterator[int]:
        while (k := self._take(False)) is not None:
            yield k

    def taken(self, count: int) -> int:
        """How many chunks both have taken (read without the lock: for progress)."""
        first, end = struct.unpack_from("qq", self.shared)
        return first + count - end

    def meeting(self) -> int:
        """Where the parent's chunks end and the child's begin (once all are taken)."""
        return struct.unpack_from("q", self.shared)[0]


def send_arrays(handoff: Any, arrays: list[array], pieces: list[bytes]) -> None:
    """Write ``arrays``, then ``pieces`` as one more, for ``received_arrays``: their sizes
    (msgpack, after its own size), then their bytes, as they are in memory."""
    views = [memoryview(values).cast("B") for values in arrays]
    header = msgspec.msgpack.encode([*(v.nbytes for v in views), sum(map(len, pieces))])
    handoff.write(struct.pack("q", len(header)))
    handoff.write(header)
    for piece in (*views, *pieces):
        handoff.write(piece)
    handoff.flush()


def received_arrays(handoff: Any) -> Iterator[bytes]:
    """What ``send_arrays`` wrote: each array's bytes, then the pieces joined, each read
    from the file when it is reached, so that one is held at a time, not all of them."""
    handoff.seek(0)
    try:
        (size,) = struct.unpack("q", handoff.read(8))
        header = handoff.read(size)
        if len(header) != size:
            raise ValueError("short")
        sizes = msgspec.msgpack.decode(header, type=list[int])
    except (struct.error, msgspec.DecodeError, ValueError):
        raise OSError("the child's part is cut short") from None
    for length in sizes:
        data = handoff.read(length)
        if len(data) != length:
            raise OSError("the child's part is cut short")
        yield data
