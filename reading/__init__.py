"""Reading capacity answers out of free text (quantities, clauses, one model per field).

    from reading import load_reader
    load_reader(kb).read("c'est moi, une heure par semaine").choices()
    # {"producer": "owner", "weekly_hours": "h1"}

See docs/READING.md for how it reads and how to write its examples.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.models import KnowledgeBase

from .lazy import LazyReader

if TYPE_CHECKING:  # scikit-learn comes with the reader, imported on first use
    from .reader import CapacityReader, Reading, Readings

__all__ = ["CapacityReader", "LazyReader", "Reading", "Readings", "load_reader"]


def load_reader(kb: KnowledgeBase, cache_dir: str | Path | None = None,
                on_fit: Callable[[int], None] | None = None) -> CapacityReader:
    """A reader for `kb`, its models fitted (`on_fit(seconds)` is told first) or loaded from the cache."""
    from .cache import default_cache_dir, load_model
    from .embed import load_embedder
    from .reader import CapacityReader

    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    embedder = load_embedder(folder)
    return CapacityReader(kb, load_model(kb, embedder, folder, on_fit=on_fit), embedder)


def __getattr__(name: str) -> object:
    """`from reading import CapacityReader, Readings`: the classes, imported when asked for."""
    if name in ("CapacityReader", "Reading", "Readings", "range_choice"):
        from . import reader

        return getattr(reader, name)
    raise AttributeError(name)
