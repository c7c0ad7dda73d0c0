"""A real Dovecot IMAP server in a temp folder: its own config, 127.0.0.1 high ports (implicit
TLS and STARTTLS), certificates from the test CA, SPECIAL-USE Drafts/Sent/Trash, one account,
and a raw log of every IMAP command the client sent (to count them).

Needs the Debian package ``dovecot-imapd`` (``apt-get install -y dovecot-imapd``); without it the
tests that need it skip locally and fail under CI (``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from tests.tls_ca import CertAuthority

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MISSING = (
    "needs a real Dovecot: install the Debian package dovecot-imapd "
    "(sudo apt-get install -y dovecot-imapd)"
)


def dovecot_available() -> bool:
    return Path(DOVECOT).is_file() and os.access(DOVECOT, os.X_OK)


_HANDED_OUT: set[int] = set()
# Under pytest-xdist each worker takes its ports from a block of its own below the kernel's
# ephemeral range (32768 and up), so two workers probing at the same moment never both hand
# out one port, and no port the kernel gives a client connection is ever taken.
_WORKER_BLOCK = 400
_FIRST_WORKER_PORT = 20000


def _worker_ports() -> range | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return None
    start = _FIRST_WORKER_PORT + int(worker[2:]) * _WORKER_BLOCK
    return range(start, start + _WORKER_BLOCK)


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on now, and never one this test run handed out before: the
    system may give the same free port to two probes in a row (Dovecot's two ports, the SMTP
    server's two), and the second server to bind it would fail."""
    block = _worker_ports()
    if block is not None:
        for _ in range(2):  # a long run wraps round once: the old servers are gone by then
            for port in block:
                if port not in _HANDED_OUT and _bindable(port):
                    _HANDED_OUT.add(port)
                    return port
            _HANDED_OUT.difference_update(block)
        raise RuntimeError(f"no free port in {block} for {os.environ['PYTEST_XDIST_WORKER']}")
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


# A rawlog line of a command: "<unix time> <tag> <command ...>"; imaplib's tags are four
# capital letters and a number.
_COMMAND_LINE = re.compile(r"^\d+\.\d+ [A-Z]{4}\d+ ([A-Z][A-Z ]*\S.*)$")

_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
instance_name = outreach-test-{tls_port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
protocol imap {{
  rawlog_dir = {root}/rawlog
  imap_capability = {capability}
}}
"""


def _introspection(server: Dovecot) -> ThreadingHTTPServer:
    """The OAuth2 token introspection endpoint Dovecot asks about XOAUTH2 logins (RFC 7662):
    ``server.token`` is active and belongs to the account; anything else is not."""

    class Introspect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            active = form.get("token") == [server.token]
            body = json.dumps({"active": active, "username": server.username}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    http = ThreadingHTTPServer(("127.0.0.1", 0), Introspect)
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http


@dataclass
class Dovecot:
    """One running Dovecot; :meth:`deliver` drops a message into a folder as delivery would."""

    root: Path
    ca: CertAuthority
    username: str
    password: str
    tls_port: int
    starttls_port: int
    process: subprocess.Popen[bytes] | None = None
    token: str = "oauth2-access-token-1"  # what the OAuth2 introspection endpoint accepts
    introspection: ThreadingHTTPServer | None = None
    owner: tuple[int, int] = (os.getuid(), os.getgid())  # who owns the mail files

    @classmethod
    def start(
        cls,
        root: Path,
        ca: CertAuthority,
        *,
        username: str = "sam@example.edu",
        password: str = "app-password-1",  # noqa: S107 - the test account's password
        capability: str = "",
    ) -> Dovecot:
        """Start Dovecot in ``root``; ``capability`` (e.g. "-CONDSTORE -QRESYNC") trims what
        it offers, to test the fallbacks. A port taken between choosing it and Dovecot binding
        it (another test run on the machine) means new ports, up to three times."""
        for attempt in range(3):
            try:
                return cls._start_once(
                    root, ca, username=username, password=password, capability=capability
                )
            except RuntimeError as exc:
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _start_once(
        cls, root: Path, ca: CertAuthority, *, username: str, password: str, capability: str
    ) -> Dovecot:
        for sub in ("run", "state", "mail", "home", "rawlog"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        server = cls(root, ca, username, password, free_port(), free_port())
        (root / "passwd").write_text(f"{username}:{{PLAIN}}{password}::::::\n")
        server.introspection = _introspection(server)
        (root / "oauth2.conf.ext").write_text(
            "introspection_mode = post\n"
            f"introspection_url = http://127.0.0.1:{server.introspection.server_address[1]}/\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        login_user = user
        if os.getuid() == 0:  # Dovecot refuses root for its logins and for mail access
            login_user, user, group = "dovenull", "dovecot", "dovecot"
            server.owner = (pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
            for sub in ("mail", "home", "rawlog"):
                os.chown(root / sub, *server.owner)
        config = _CONFIG.format(
            root=root,
            cert=ca.cert_file,
            key=ca.key_file,
            user=user,
            login_user=login_user,
            group=group,
            uid=server.owner[0],
            gid=server.owner[1],
            tls_port=server.tls_port,
            starttls_port=server.starttls_port,
            capability=f"+{capability}" if capability.startswith(" ") else capability,
        )
        if not capability:
            config = config.replace("  imap_capability = \n", "")
        (root / "dovecot.conf").write_text(config)
        server.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(root / "dovecot.stderr", "wb"),  # noqa: SIM115
        )
        try:
            server._wait_listening()
        except RuntimeError:
            server.stop()
            raise
        return server

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(self._logs("Dovecot exited"))
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(self._logs("Dovecot did not start listening"))

    def _logs(self, what: str) -> str:
        texts = [
            path.read_text(errors="replace")
            for path in (self.root / "dovecot.stderr", self.root / "dovecot.log")
            if path.exists()
        ]
        return f"{what}:\n" + "\n".join(texts)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.introspection is not None:
            self.introspection.shutdown()
            self.introspection.server_close()
            self.introspection = None

    # -- what the tests look at and do ------------------------------------------------------

    def maildir(self, folder: str = "INBOX") -> Path:
        base = self.root / "mail" / self.username
        return base if folder == "INBOX" else base / f".{folder}"

    def deliver(self, message: EmailMessage | bytes, folder: str = "INBOX") -> Path:
        """File a message as a delivery agent would: tmp/ then rename into new/."""
        data = message if isinstance(message, bytes) else message.as_bytes()
        target = self.maildir(folder)
        for sub in ("tmp", "new", "cur"):
            if not (target / sub).is_dir():
                (target / sub).mkdir(parents=True)
                os.chown(target, *self.owner)
                os.chown(target / sub, *self.owner)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.outreach-test"
        temporary = target / "tmp" / name
        temporary.write_bytes(data.replace(b"\r\n", b"\n"))
        final = target / "new" / name
        os.chown(temporary, *self.owner)
        os.replace(temporary, final)
        return final

    def renumber(self, folder: str = "INBOX") -> None:
        """Give a folder a new UIDVALIDITY, as a server restored from backup or rebuilt does:
        the UID list's V field changed and the indexes (which cache it) dropped."""
        target = self.maildir(folder)
        uidlist = target / "dovecot-uidlist"
        header, _, rest = uidlist.read_text().partition("\n")
        fields = [
            f"V{int(part[1:]) + 1000}" if part.startswith("V") else part
            for part in header.split(" ")
        ]
        uidlist.write_text(" ".join(fields) + "\n" + rest)
        for path in self.maildir("INBOX").glob("dovecot*index*"):
            path.unlink()

    def client_commands(self) -> list[str]:
        """Every IMAP command clients sent after logging in (Dovecot's rawlog starts after the
        login), e.g. ``UID FETCH 1:* (...)``; literal data (APPENDed messages) is not counted."""
        commands: list[str] = []
        for path in sorted((self.root / "rawlog").glob("*.in")):
            for line in path.read_bytes().decode("utf-8", "replace").splitlines():
                found = _COMMAND_LINE.match(line)
                if found:
                    commands.append(found.group(1).split(" {", 1)[0])
        return commands

    def reset_commands(self) -> None:
        for path in (self.root / "rawlog").glob("*"):
            path.unlink()
