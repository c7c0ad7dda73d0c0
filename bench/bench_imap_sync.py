"""Benchmark: IMAP `sync` against a real Dovecot: the IMAP commands and the time of a sync with
nothing new, with 20 new messages, and with 500 new messages, on a mailbox where 200 contacts
were written to (200 messages in Sent) and answered (200 replies in the INBOX).

The commands are counted by Dovecot itself (its rawlog of everything the client sent after
logging in; the login itself adds LOGIN, and STARTTLS when used). Needs dovecot-imapd
(`apt-get install -y dovecot-imapd`); the SMTP server is aiosmtpd from the dev extra.

    .venv/bin/python bench/bench_imap_sync.py [--contacts 200]

Prints the figures; exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = "2026-03-02T09:00:00-05:00"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200)
    args = parser.parse_args()

    from tests.realmail.dovecot import Dovecot, dovecot_available

    if not dovecot_available():
        print("needs dovecot-imapd (apt-get install -y dovecot-imapd)")
        return 0
    with tempfile.TemporaryDirectory(prefix="outreach-bench-imap-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)  # Dovecot's own users must enter it
        return run(base, args.contacts, Dovecot)


def newsletter(number: int, owner: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "news@list.example.com"
    message["To"] = owner
    message["Subject"] = f"Weekly digest {number}"
    message["Message-ID"] = make_msgid(domain="list.example.com")
    message.set_content("News.\n" * 40)
    return message


def run(base: Path, contacts: int, dovecot_class: type) -> int:
    import keyring
    from click.testing import CliRunner

    from outreach.app import AppContext
    from outreach.cli import cli
    from outreach.config import Workspace
    from outreach.services.sending.send import send_messages
    from outreach.services.sync.run import sync
    from tests.helpers_sync import add_contacts, configure, draft, reply
    from tests.keyrings import FileKeyring
    from tests.realmail.fixtures import MailServers
    from tests.realmail.smtpd import SubmissionServer
    from tests.tls_ca import make_test_ca

    os.environ["OUTREACH_TEST_KEYRING"] = str(base / "keyring.json")
    os.environ["OUTREACH_NOW"] = NOW
    keyring.set_keyring(FileKeyring())
    ca = make_test_ca(base / "ca")
    dovecot = dovecot_class.start(base / "dovecot", ca)
    smtp = SubmissionServer.start(dovecot)
    servers = MailServers(ca, dovecot, smtp)
    home = base / "home"
    try:
        made = CliRunner().invoke(
            cli, ["init", "--name", "Sam Rivera", "--email", dovecot.username,
                  "--timezone", "America/New_York"], env={"OUTREACH_HOME": str(home)},
        )
        assert made.exit_code == 0, made.output
        settings = servers.config()
        settings["mail"]["daily_send_cap"] = 2000
        configure(home, schedule={"busy": []}, **settings)
        from outreach.mail.imap_login import save_password

        app = AppContext(workspace=Workspace(home))
        save_password(app.config.imap, app.config.smtp, dovecot.username, dovecot.password,
                      for_smtp=False)
        people = [(f"Person {i:04d}", f"person{i:04d}@example.org") for i in range(contacts)]
        add_contacts(app, *people)
        rows = draft(app, "outreach", *(address for _, address in people))
        send_messages(app, rows)
        for row, (_, address) in zip(rows, people, strict=True):
            dovecot.deliver(reply(app.store.messages.by_id(row.id), address, app.now()))
        sync(app)
        app.close()

        def measured(label: str, new: int) -> tuple[str, int, str, float]:
            for number in range(new):
                dovecot.deliver(newsletter(number, dovecot.username))
            times = []
            commands: list[str] = []
            for attempt in range(5 if new == 0 else 1):
                dovecot.reset_commands()
                app = AppContext(workspace=Workspace(home))
                started = time.perf_counter()
                sync(app)
                app.close()
                times.append(time.perf_counter() - started)
                if attempt == 0:
                    time.sleep(0.2)  # the server writes its rawlog as the session ends
                    commands = dovecot.client_commands()
            kinds = Counter(" ".join(c.split(" ")[:2]) if c.startswith("UID") else c.split(" ")[0]
                            for c in commands)
            shown = ", ".join(f"{name} x{count}" for name, count in kinds.items())
            return label, len(commands), shown, statistics.median(times)

        rows_out = [
            measured("sync, nothing new", 0),
            measured("sync, 20 new messages", 20),
            measured("sync, 500 new messages", 500),
        ]
    finally:
        smtp.stop()
        dovecot.stop()
    print(f"IMAP sync against Dovecot; {contacts} contacts written to and answered")
    print("| run | IMAP commands after login | which | time (median) |")
    print("|---|---|---|---|")
    for label, count, which, seconds in rows_out:
        print(f"| {label} | {count} | {which} | {seconds:.3f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
