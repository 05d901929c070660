"""Long runs keep their start-up out of the garbage collector's full passes.

A process that imports servicecoach and builds a `Coach` holds some 100,000 objects that
the cyclic garbage collector tracks (the modules of spaCy, pydantic and their
dependencies, the compiled rule packs), and they live as long as the process. Each full
collection walks all of them again: scoring a batch spends about 5% of its time there
(`docs/performance.md`). `gc.freeze()` moves the objects that exist at that moment to a
generation that collections never walk; that is what `long_run()` does around a batch,
a benchmark or a service's serving loop, after the `Coach` is built.

Building the `Coach` itself makes most of those objects, and none of them is garbage: the
collector's passes during it (a dozen, three of them full) only walk what start-up made so
far. `collector_paused()` holds them off while a `Coach` is built.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_run() -> Iterator[None]:
    """Within the block, the objects that exist on entry (modules, the `Coach`, anything
    built before) are left out of the garbage collector's passes; on exit they are handed
    back to it, so garbage among them is collected again.

    Nothing changes in what is scored. A block within another one leaves the outer
    block's freeze in place.
    """
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block, the cyclic garbage collector does not run (reference counting
    still frees what nothing refers to); on exit it runs again if it did on entry.

    For a block that builds objects meant to live on, such as a `Coach`: a tenth of a
    second of its start-up went to passes that found nothing to free (docs/performance.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
