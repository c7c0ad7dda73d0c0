"""Google's entries in the keyring; the keyring itself is :mod:`outreach.keychain` (kept here
so Google's callers and tests keep their import)."""

from outreach.keychain import (
    SERVICE,
    backend_name,
    delete_token,
    load_token,
    save_token,
    usable,
)

__all__ = [
    "SERVICE",
    "backend_name",
    "delete_token",
    "load_token",
    "save_token",
    "usable",
]
