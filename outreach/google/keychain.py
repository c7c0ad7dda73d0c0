"""Google's entries in the keyring; the keyring itself is :mod:`outreach.keychain` (kept here
so Google's callers and tests keep their import)."""

from outreach.keychain import (
    MICROSOFT_PREFIX,
    SERVICE,
    backend_name,
    delete_token,
    load_token,
    microsoft_entry,
    save_token,
    usable,
)

__all__ = [
    "MICROSOFT_PREFIX",
    "SERVICE",
    "backend_name",
    "delete_token",
    "load_token",
    "microsoft_entry",
    "save_token",
    "usable",
]
