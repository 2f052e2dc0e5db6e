"""How large data must be before the builder works another way, and its switches.

Every part of the builder reads these here, when it runs (``sizes.SLICE``), so a test can
set one for all of them (``monkeypatch.setattr(sizes, "SLICE", 700)``).
"""

from __future__ import annotations

import os

#: Relations decoded and checked per slice: small enough that a slice's records stay in
#: the processor's cache while their fields are read (measured fastest near 2,000).
SLICE = 2_000
#: Relations decoded and checked per slice on the compact path, in bytes (about 1,000 of
#: the benchmark's relations; 125-500 kB measured alike).
SLICE_BYTES = 250_000
#: Progress is reported about every this many relations (compact path: bytes).
PROGRESS_EVERY = 50_000
PROGRESS_BYTES = 10_000_000
#: From this many relations the work is split between two processes (when it can fork).
PARALLEL_MIN = 200_000
PARALLEL_MIN_BYTES = 50_000_000  # on the compact path
#: Files from this size are mapped into memory rather than read (``build._contents``).
MAP_MIN_BYTES = 16_000_000
#: From this many bytes of compactly written relations, numpy finds where records start.
NUMPY_MIN_BYTES = 16_000_000
#: From this many items, adjacency lists are sorted with numpy (imported only then).
NUMPY_MIN = 50_000

#: Whether relations written compactly are read straight from the file's bytes
#: (``spans.CompactPart``). ``DIPLOGRAPH_COMPACT=off`` turns that path off: every file is
#: then read the simple way (``spans.SpanPart``), which builds the same pack, a little
#: slower and with its relation records copied into it.
COMPACT = os.environ.get("DIPLOGRAPH_COMPACT", "on").lower() not in ("off", "0", "no")
