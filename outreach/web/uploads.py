"""Files chosen on the Compose page, kept in the workspace for the draft that carries them."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from outreach.errors import ContactError
from outreach.web.app import state_of

__all__ = ["save_uploads"]

CHUNK = 1024 * 1024


def _safe_name(name: str) -> str:
    """A file name that stays in its folder and reads as the user named it."""
    cleaned = re.sub(r"[^\w .()+-]", "_", Path(name.replace("\\", "/")).name).strip(" .")
    return cleaned[:120] or "attachment"


async def save_uploads(request: Request, form: FormData) -> list[Path]:
    """The files chosen on Compose, each kept under the workspace's attachments/ (in a folder
    of its own, so two files of one name never meet) for as long as a draft carries it;
    refused past the size `draft --attach` refuses, with nothing kept."""
    from outreach.services.drafting.attaching import MAX_ATTACHMENT_BYTES

    uploads = [u for u in form.getlist("attach") if isinstance(u, UploadFile) and u.filename]
    saved: list[Path] = []
    root = state_of(request).workspace.root / "attachments"
    try:
        for upload in uploads:
            name = _safe_name(upload.filename or "")
            folder = root / secrets.token_hex(6)
            folder.mkdir(parents=True)
            path = folder / name
            saved.append(path)
            size = 0
            with open(path, "wb") as out:
                while chunk := await upload.read(CHUNK):
                    size += len(chunk)
                    if size > MAX_ATTACHMENT_BYTES:
                        raise ContactError(
                            f"Cannot attach {name}: it is over the 25 MB Gmail sends.",
                            hint="Share a link to it instead (for example from Google "
                            "Drive); nothing was drafted.",
                        )
                    out.write(chunk)
    except BaseException:
        for path in saved:
            shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return saved
