"""An idle `watch` re-reads nothing that has not changed: while no Maildir folder changes, no
other command writes the database and the address book stays the same, a cycle lists nothing
and loads no index; new mail, or another command's write, is still seen on the next cycle."""

from __future__ import annotations

import pytest

from outreach.app import AppContext
from outreach.mail import maildir
from outreach.services.sync.run import SyncReport
from outreach.services.sync.watch import watch
from outreach.store.maildir_seen import SeenFileRepo
from tests.helpers_sync import at, reply, row_for, set_now
from tests.test_sync_local import drop, sent_local  # noqa: F401


def test_idle_cycles_load_nothing_and_new_mail_is_still_seen(
    sent_local: AppContext, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    app = sent_local
    monkeypatch.setattr(maildir, "SETTLED_SECONDS", 0.0)  # no waiting for the clock's tick
    loads: list[int] = []
    original = SeenFileRepo.stamps

    def counted(self: SeenFileRepo) -> dict[str, tuple[int, int]]:
        loads.append(1)
        return original(self)

    monkeypatch.setattr(SeenFileRepo, "stamps", counted)
    reports: list[SyncReport] = []
    seen_at_cycle: list[int] = []

    def pause(_seconds: float) -> None:
        seen_at_cycle.append(len(loads))
        if len(seen_at_cycle) == 6:  # Ada answers while watch sleeps
            drop(app, reply(row_for(app, "ada@example.org"), "ada@example.org",
                            at("2026-03-02 12:00")))

    set_now(monkeypatch, at("2026-03-02 11:00"))
    cycles = watch(app, 1.0, on_report=reports.append, on_error=lambda *_: None, sleep=pause,
                   max_cycles=9)
    assert cycles == 9
    quiet = seen_at_cycle[2:6]
    assert quiet == [quiet[0]] * 4, seen_at_cycle  # idle cycles load no index
    assert sum(r.counts().get("reply", 0) for r in reports) == 1  # the reply is still seen
    assert seen_at_cycle[6] > quiet[-1]


def test_another_commands_write_is_noticed_by_the_next_idle_cycle(
    sent_local: AppContext, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """Mail from a stranger is set aside; when another command adds them as a contact (another
    connection: the database's data_version moves), the next cycle finds their mail."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from outreach.config import Workspace
    from outreach.contacts.model import ContactRecord
    from outreach.store import Store

    app = sent_local
    monkeypatch.setattr(maildir, "SETTLED_SECONDS", 0.0)
    note = EmailMessage()
    note["From"], note["To"] = "Gil Ghost <ghost@example.net>", "sam@example.edu"
    note["Subject"], note["Message-ID"] = "Heard you are asking around", make_msgid()
    note["Date"] = format_datetime(at("2026-03-02 12:00"))
    note.set_content("Happy to talk.")
    drop(app, note)
    other = Store.open(Workspace(app.workspace.root).db_file)
    reports: list[SyncReport] = []

    def pause(_seconds: float) -> None:
        if len(reports) == 3:
            with other.transaction():
                other.contacts.upsert(
                    [ContactRecord(name="Gil Ghost", email="ghost@example.net")],
                    now="2026-03-02T12:30:00+00:00",
                )

    set_now(monkeypatch, at("2026-03-02 13:00"))
    watch(app, 1.0, on_report=reports.append, on_error=lambda *_: None, sleep=pause,
          max_cycles=6)
    other.close()
    assert [r.counts().get("reply", 0) for r in reports[:3]] == [0, 0, 0]
    assert sum(r.counts().get("reply", 0) for r in reports[3:]) == 1
