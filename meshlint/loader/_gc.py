"""Pause the cyclic garbage collector around allocation-heavy parsing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collections while parsing: it allocates many objects that all survive.

    Afterwards the new objects go straight to the oldest generation (freeze + unfreeze), so
    the next young collection does not walk them all. When the caller froze objects
    itself, its permanent generation is left alone. Use it around big batches only:
    ``gc.get_freeze_count()`` walks the permanent generation.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
