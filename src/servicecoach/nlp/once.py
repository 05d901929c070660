"""`computed_once`: an attribute computed on its first read, for per-turn objects.

It is `functools.cached_property` without the lock that Python 3.11's version takes on
every first read (one `RLock` per property, shared by all instances, so threads scoring
different turns wait for each other; Python 3.12 dropped it). A turn's `TurnContext` and
`TurnScan` each compute about ten such attributes and are never shared between threads,
so the lock bought nothing and cost about 3% of a turn (`docs/performance.md`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class computed_once(Generic[T]):
    """A read-only attribute: `compute(instance)` on the first read, kept in the instance's
    ``__dict__`` (later reads find it there and never call the descriptor)."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> computed_once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | computed_once[T]:
        if instance is None:
            return self
        value = instance.__dict__[self._name] = self._compute(instance)
        return value
