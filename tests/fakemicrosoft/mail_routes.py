"""The fake's mail routes: create (JSON refused for threading; MIME accepted), list with
``$filter`` on internetMessageId, get, ``$value``, delete, send, and delta per folder."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakemicrosoft.deferred import DeferredSend
from tests.fakemicrosoft.mailbox import (
    DELTA_PROPERTIES,
    MESSAGE_PROPERTIES,
    WELL_KNOWN,
    DeltaPage,
    Item,
    Mailbox,
    folder_id,
    parse_mime,
)
from tests.fakemicrosoft.wire import Answer, Call, GraphFault, not_found

READ = frozenset({"Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"})
READ_BODY = frozenset({"Mail.Read", "Mail.ReadWrite"})
WRITE = frozenset({"Mail.ReadWrite"})
SEND = frozenset({"Mail.Send"})
DEFAULT_PAGE = 10  # messages per page unless the client prefers more
MAX_PAGE = 1000
_FILTER_ID = re.compile(r"^(internetMessageId|conversationId) eq '((?:[^']|'')*)'$")
_FILTER_RECEIVED = re.compile(r"^receivedDateTime (ge|gt) (\d{4}-\d\d-\d\dT[\d:.]+Z)$")
_ALLOWED_HEADERS = re.compile(r"^(x-|X-)")


def _select(call: Call, allowed: frozenset[str]) -> frozenset[str] | None:
    raw = call.query.get("$select")
    if raw is None:
        return None
    names = frozenset(n.strip() for n in raw.split(",") if n.strip())
    unknown = names - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise GraphFault(
            400,
            "RequestBroker--ParseUri",
            f"Could not find a property named '{name}' on type 'microsoft.graph.message'.",
        )
    return names


def _folder(name: str) -> str:
    lowered = name.lower()
    for known in WELL_KNOWN:
        if lowered in (known, folder_id(known).lower()):
            return known
    raise GraphFault(404, "ErrorInvalidIdMalformed", "Id is malformed.")


class MailRoutes:
    """Handlers bound to one mailbox and the fake's clock and base URL."""

    def __init__(self, box: Mailbox, now: Callable[[], datetime], base: Callable[[], str]):
        self.box = box
        self.now = now
        self.base = base
        self.deferred: DeferredSend | None = None  # set by the server (tests/.../deferred.py)

    def routes(self) -> list[tuple[str, str, frozenset[str], Callable[..., Answer]]]:
        f = r"(?P<folder>[A-Za-z0-9_-]+)"
        i = r"(?P<item>[A-Za-z0-9_=-]+)"
        return [
            ("POST", r"/me/messages", WRITE, self.create),
            ("POST", rf"/me/mailFolders/{f}/messages", WRITE, self.create),
            ("GET", rf"/me/mailFolders/{f}/messages/delta", READ, self.delta),
            ("GET", rf"/me/mailFolders/{f}/messages", READ, self.list),
            ("GET", rf"/me/mailFolders/{f}", READ, self.folder),
            ("GET", r"/me/messages", READ, self.list),
            ("GET", rf"/me/messages/{i}/\$value", READ_BODY, self.value),
            ("GET", rf"/me/messages/{i}", READ, self.get),
            ("DELETE", rf"/me/messages/{i}", WRITE, self.delete),
            ("POST", rf"/me/messages/{i}/send", SEND, self.send),
        ]

    def _item(self, item_id: str) -> Item:
        item = self.box.items.get(item_id)
        if item is None:
            raise not_found("message")
        return item

    def create(self, call: Call, folder: str = "drafts") -> Answer:
        where = _folder(folder)
        kind = call.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            data = call.json()
            for header in (data or {}).get("internetMessageHeaders") or []:
                if not _ALLOWED_HEADERS.match(str(header.get("name", ""))):
                    raise GraphFault(
                        400,
                        "InvalidInternetMessageHeader",
                        f"The internet message header name '{header.get('name')}' should "
                        "start with 'x-' or 'X-'.",
                    )
            raise GraphFault(
                400, "ErrorInvalidRequest",
                "This fake only models MIME drafts; outreach never creates JSON drafts.",
            )
        if kind != "text/plain":
            raise GraphFault(415, "UnsupportedMediaType", "Use text/plain for MIME content.")
        try:
            mime = base64.b64decode(call.body, validate=True)
        except (binascii.Error, ValueError):
            raise GraphFault(
                400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME "
                "content."
            ) from None
        message = parse_mime(mime)
        if not message.keys():
            raise GraphFault(400, "ErrorMimeContentInvalid", "The MIME content is invalid.")
        item = self.box.add(where, mime, draft=True, now=self.now())
        return Answer(201, item.resource(None))

    def folder(self, call: Call, folder: str) -> Answer:
        where = _folder(folder)
        names = {"inbox": "Inbox", "drafts": "Drafts", "sentitems": "Sent Items",
                 "deleteditems": "Deleted Items"}
        count = len(self.box.in_folder(where))
        full = {"id": folder_id(where), "displayName": names[where], "parentFolderId": "root",
                "childFolderCount": 0, "totalItemCount": count, "unreadItemCount": 0}
        raw = call.query.get("$select")
        if raw is None:
            return Answer(200, full)
        names_wanted = {n.strip() for n in raw.split(",")}
        unknown = names_wanted - set(full)
        if unknown:
            raise GraphFault(400, "RequestBroker--ParseUri", f"Could not find a property "
                             f"named '{sorted(unknown)[0]}' on type 'microsoft.graph.mailFolder'.")
        return Answer(200, {k: v for k, v in full.items() if k in names_wanted or k == "id"})

    def list(self, call: Call, folder: str | None = None) -> Answer:
        select = _select(call, MESSAGE_PROPERTIES)
        items = self.box.in_folder(_folder(folder)) if folder else list(self.box.items.values())
        flt = call.query.get("$filter")
        if flt is not None:
            match = _FILTER_ID.match(flt.strip())
            if match is None:
                raise GraphFault(400, "ErrorInvalidUrlQueryFilter", "The query filter "
                                 "contains one or more invalid nodes.")
            wanted = match.group(2).replace("''", "'")
            if match.group(1) == "internetMessageId":
                items = [i for i in items if i.internet_message_id == wanted]
            else:
                items = [i for i in items if i.conversation_id == wanted]
        items = _ordered(items, call.query.get("$orderby"), flt)
        top = _int_option(call, "$top", DEFAULT_PAGE)
        if not 1 <= top <= MAX_PAGE:
            raise GraphFault(400, "ErrorInvalidUrlQuery", f"$top must be between 1 and {MAX_PAGE}.")
        skip = _int_option(call, "$skip", 0)
        body: dict[str, Any] = {"value": [i.resource(select) for i in items[skip : skip + top]]}
        if skip + top < len(items):
            query = {**call.query, "$skip": str(skip + top)}
            body["@odata.nextLink"] = f"{self.base()}/v1.0{call.path}?{urlencode(query)}"
        return Answer(200, body)

    def get(self, call: Call, item: str) -> Answer:
        select = _select(call, MESSAGE_PROPERTIES)
        if select and ("body" in select) and not (call.scopes & READ_BODY):
            raise GraphFault(403, "ErrorAccessDenied", "Access is denied. Check credentials "
                             "and try again.")
        return Answer(200, self._item(item).resource(select))

    def value(self, call: Call, item: str) -> Answer:
        return Answer(200, self._item(item).mime, {"Content-Type": "text/plain"})

    def delete(self, call: Call, item: str) -> Answer:
        if self.box.remove(item) is None:
            raise not_found("message")
        if self.deferred is not None:
            self.deferred.forget(item)  # a held message deleted before its time never goes
        return Answer(204)

    def send(self, call: Call, item: str) -> Answer:
        if call.body.strip():
            raise GraphFault(400, "ErrorInvalidRequest", "send takes no request body; "
                             "Content-Length must be 0.")
        found = self._item(item)
        if not found.is_draft:
            raise GraphFault(400, "ErrorInvalidOperation", "Only draft messages can be sent.")
        message = found.message
        if not any(message.get(h) for h in ("To", "Cc", "Bcc")):
            raise GraphFault(400, "ErrorInvalidRecipients", "At least one recipient is not "
                             "valid., A message can't be sent because it contains no "
                             "recipients.")
        if self.deferred is not None and self.deferred.hold_if_deferred(item, self.now()):
            return Answer(202)  # Exchange holds it in Drafts until its deferred send time
        self.go(item, self.now())
        return Answer(202)

    def go(self, item: str, now: datetime) -> None:
        """The message leaves: out of Drafts, a copy in Sent Items, delivered."""
        found = self._item(item)
        message = found.message
        self.box.remove(item)
        del message["Bcc"]
        # Outlook stamps the moment of sending (sentDateTime, and the Date that leaves): the
        # draft's own Date is not kept (see REALITY.md).
        from email.utils import format_datetime

        del message["Date"]
        message["Date"] = format_datetime(now)
        mime = message.as_bytes()
        # The sent copy stays in the draft's conversation, with the draft's Message-ID.
        self.box.add(
            "sentitems", mime, draft=False, now=now, sent=now, conversation=found.conversation_id
        )
        self.box.delivered.append(mime)

    # -- delta --------------------------------------------------------------------------

    def delta(self, call: Call, folder: str) -> Answer:
        where = _folder(folder)
        if where not in ("inbox", "sentitems", "drafts", "deleteditems"):
            raise not_found("folder")
        prefer = call.headers.get("prefer", "")
        size_match = re.search(r"odata\.maxpagesize=(\d+)", prefer)
        size = min(MAX_PAGE, int(size_match.group(1))) if size_match else DEFAULT_PAGE
        box = self.box
        with box.lock:
            if "$skiptoken" in call.query:
                page = box.pages.pop(call.query["$skiptoken"], None)
                if page is None or page.generation != box.generation[where]:
                    raise _expired()
                return self._page(where, page, prefer)
            if "$deltatoken" in call.query:
                token = box.tokens.get(call.query["$deltatoken"])
                if token is None or token.folder != where:
                    raise GraphFault(400, "ErrorInvalidUrlQuery", "The delta token is "
                                     "malformed.")
                if token.generation != box.generation[where]:
                    raise _expired()
                rows = box.delta_changes(where, token.change, token.select)
                select = token.select
            else:
                select = _select(call, DELTA_PROPERTIES)
                if "$search" in call.query or "$orderby" in call.query:
                    raise GraphFault(400, "ErrorInvalidUrlQuery", "Only $select, $top and a "
                                     "$filter on receivedDateTime are supported with delta.")
                rows = box.delta_changes(where, None, select)
                if "$filter" in call.query:
                    found = _FILTER_RECEIVED.match(call.query["$filter"].strip())
                    if found is None:
                        raise GraphFault(400, "ErrorInvalidUrlQueryFilter", "The only "
                                         "supported $filter with delta is receivedDateTime "
                                         "ge or gt a time.")
                    since = datetime.fromisoformat(found.group(2).replace("Z", "+00:00"))
                    rows = [r for r in rows if _received(box, r["id"]) >= since
                            and (found.group(1) == "ge" or _received(box, r["id"]) > since)]
            page = DeltaPage(where, rows, box.last_change, select, box.generation[where], size)
            return self._page(where, page, prefer)

    def _page(self, where: str, page: DeltaPage, prefer: str) -> Answer:
        box = self.box
        head, rest = page.items[: page.page_size], page.items[page.page_size :]
        link = f"{self.base()}/v1.0/me/mailFolders/{where}/messages/delta?"
        body: dict[str, Any] = {
            "@odata.context": f"{self.base()}/v1.0/$metadata#Collection(message)",
            "value": head,
        }
        if rest:
            token = f"s{len(box.pages)}-{id(page)}"
            box.pages[token] = DeltaPage(
                where, rest, page.end_change, page.select, page.generation, page.page_size
            )
            body["@odata.nextLink"] = link + urlencode({"$skiptoken": token})
        else:
            token = box.new_token(where, page.select)
            box.tokens[token].change = page.end_change
            body["@odata.deltaLink"] = link + urlencode({"$deltatoken": token})
        headers = {"Preference-Applied": prefer} if "maxpagesize" in prefer else {}
        return Answer(200, body, headers)


_ORDER = re.compile(r"^(sentDateTime|receivedDateTime)(?: (asc|desc))?$")


def _int_option(call: Call, name: str, default: int) -> int:
    raw = call.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise GraphFault(400, "ErrorInvalidUrlQuery", f"Invalid value '{raw}' for {name}.")
    return int(raw)


def _ordered(items: list[Item], orderby: str | None, flt: str | None) -> list[Item]:
    """Items in the order asked; with a $filter, Graph sorts only by a property that the
    filter names first (else 400 InefficientFilter)."""
    if orderby is None:
        return items
    match = _ORDER.match(orderby.strip())
    if match is None:
        raise GraphFault(400, "ErrorInvalidUrlQuery", "This fake sorts only by sentDateTime "
                         "or receivedDateTime (outreach sorts by nothing else).")
    if flt is not None and not flt.strip().startswith(match.group(1)):
        raise GraphFault(400, "InefficientFilter", "The restriction or sort order is too "
                         "complex for this operation.")
    field_name = match.group(1)

    def key(item: Item) -> datetime:
        return (item.sent or item.received) if field_name == "sentDateTime" else item.received

    return sorted(items, key=key, reverse=match.group(2) == "desc")


def _received(box: Mailbox, item_id: str) -> datetime:
    return box.items[item_id].received


def _expired() -> GraphFault:
    return GraphFault(
        410,
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must "
        "be synchronized again.",
    )
