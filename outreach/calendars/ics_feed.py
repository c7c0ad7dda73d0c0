"""Busy times from a calendar's "secret address": the https address of an .ics feed that Google
Calendar, Outlook and iCloud offer for sharing a calendar read-only.

The feed is fetched over verified TLS only (the system's trust store; ``SSL_CERT_FILE``
honoured), with a conditional request (``If-None-Match`` / ``If-Modified-Since`` from the last
answer's ``ETag`` / ``Last-Modified``), so an unchanged calendar costs a 304 and no download;
the last copy is kept in the workspace's ``cache/`` folder. An unreachable feed is an error,
never a silent fall back to an old copy: slots offered from stale busy times could clash.
The address is a secret (anyone holding it reads the calendar): errors and logs show only its
host.
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from outreach.errors import ScheduleError

TIMEOUT_SECONDS = 30.0
MAX_BYTES = 20 * 1024 * 1024


def is_feed(source: str) -> bool:
    """Whether a ``[schedule] busy`` entry is a feed address (http(s), not a file path)."""
    return source.startswith(("https://", "http://", "webcal://"))


def shown(url: str) -> str:
    """The address as errors may show it: scheme and host, the secret part hidden."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


@dataclass(frozen=True)
class CachedFeed:
    body: Path
    meta: Path

    @classmethod
    def for_url(cls, cache_dir: Path, url: str) -> CachedFeed:
        name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
        return cls(cache_dir / f"feed-{name}.ics", cache_dir / f"feed-{name}.json")

    def validators(self) -> dict[str, str]:
        if not self.body.exists():
            return {}
        try:
            data = json.loads(self.meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        headers = {}
        if isinstance(data.get("etag"), str):
            headers["If-None-Match"] = data["etag"]
        if isinstance(data.get("last_modified"), str):
            headers["If-Modified-Since"] = data["last_modified"]
        return headers

    def save(self, body: bytes, etag: str | None, last_modified: str | None) -> None:
        self.body.parent.mkdir(parents=True, exist_ok=True)
        for path, data in (
            (self.body, body),
            (self.meta, json.dumps({"etag": etag, "last_modified": last_modified}).encode()),
        ):
            temporary = path.with_suffix(path.suffix + ".tmp")
            temporary.write_bytes(data)
            os.chmod(temporary, 0o600)  # a copy of a private calendar
            os.replace(temporary, path)


def fetch_feed(url: str, cache_dir: Path) -> bytes:
    """The feed's current iCalendar bytes (from the cache when the server says 304)."""
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.startswith("https://"):
        raise ScheduleError(
            f"[schedule] busy names {shown(url)}, an address without TLS: the calendar's "
            "secret address would travel in clear.",
            hint="Use the https:// address your calendar offers.",
        )
    cached = CachedFeed.for_url(cache_dir, url)
    request = urllib.request.Request(  # noqa: S310 - https only, checked above
        url, headers={"User-Agent": "outreach", **cached.validators()}
    )
    context = ssl.create_default_context()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=context) as answer:  # noqa: S310
            body = answer.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise ScheduleError(f"The calendar feed {shown(url)} is larger than 20 MB.")
            cached.save(body, answer.headers.get("ETag"), answer.headers.get("Last-Modified"))
            return bytes(body)
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and cached.body.exists():
            return cached.body.read_bytes()
        raise ScheduleError(
            f"The calendar feed {shown(url)} answered HTTP {exc.code}.",
            hint="Check the address in [schedule] busy (calendars make a new secret address "
            "when the old one is reset).",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScheduleError(
            f"The calendar feed {shown(url)} cannot be reached: {reason}.",
            hint="Check your connection (no slots are proposed from an old copy), or remove "
            "the address from [schedule] busy.",
        ) from None
