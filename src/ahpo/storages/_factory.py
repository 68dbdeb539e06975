"""Turn what a user passes as ``storage=`` into a storage object."""

from __future__ import annotations

from typing import Any

from ahpo._validation import type_error
from ahpo.storages._base import BaseStorage
from ahpo.storages._in_memory import InMemoryStorage


def get_storage(storage: Any) -> BaseStorage:
    """``None`` → a new :class:`InMemoryStorage`; a URL string → ``SQLStorage(url)``.

    Examples
    --------
    >>> from ahpo.storages import get_storage
    >>> type(get_storage(None)).__name__
    'InMemoryStorage'
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str):
        from ahpo.storages._sql.storage import SQLStorage

        return SQLStorage(storage)
    raise type_error("storage", "None, a database URL or a storage object", storage)
