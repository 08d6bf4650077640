"""The aggregates of one report build, shared by the threads that compute them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class _Retry(Exception):
    """The thread that claimed a result did not produce it: the waiter computes it itself."""


class SharedResults:
    """Results by call key: each is computed once, by the first thread to ask; a thread that
    asks for one another thread is computing waits for it.

    Why a failure is not passed on: the other thread may have been stopped, or may have
    asked from a state of its own; a waiter then computes the result itself, so what it
    raises is always its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Hashable, Future[Any]] = {}
        #: How many results each thread computed, by thread name (for tests and profiling).
        self.computed_by: dict[str, int] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for `key`, computing it with `compute` unless another thread has."""
        while True:
            with self._lock:
                future = self._futures.get(key)
                mine = future is None
                if future is None:
                    future = self._futures[key] = Future()
            if not mine:
                try:
                    result: T = future.result()
                except _Retry:
                    continue
                return result
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    del self._futures[key]
                future.set_exception(_Retry())
                raise
            future.set_result(value)
            name = threading.current_thread().name
            with self._lock:
                self.computed_by[name] = self.computed_by.get(name, 0) + 1
            return value
