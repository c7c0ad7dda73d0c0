"""The layering of DESIGN.md, drawn from the imports themselves: adapters (store, mail, google,
microsoft) take config values and never import the AppContext; the faces (cli, web) reach mail,
calendars and the database only through services; services reach each mailbox only through the
MailBackend protocol, its kind (outreach.mail.kinds) and the calendar protocol, never a
backend's own modules, and never ask which backend is configured; the pure core (compose,
schedule, track) imports no adapter and no AppContext. Every import counts, including those
only for type checking."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "outreach"
ADAPTERS = ("store", "mail", "google", "microsoft", "calendars")
OUTSIDE_SYSTEMS = ("outreach.mail", "outreach.google", "outreach.microsoft")
CORE = ("compose", "schedule", "track")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def files(*packages: str) -> list[Path]:
    found = [path for name in packages for path in sorted((PACKAGE / name).rglob("*.py"))]
    return found


def offences(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for line, module in imports(path):
            if any(module == bad or module.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    return sorted(set(found))


def test_no_adapter_imports_the_app_context() -> None:
    assert offences(files(*ADAPTERS), ("outreach.app",)) == []


def test_the_faces_reach_mail_and_calendars_only_through_services() -> None:
    assert offences(files("cli", "web"), OUTSIDE_SYSTEMS) == []


def test_the_faces_reach_the_database_only_through_services() -> None:
    assert offences(files("cli", "web"), ("outreach.store",)) == []


# A backend's own modules: its client, its sync reader, its checks. Services reach them only
# through the protocols (outreach.mail.backend, sync_reader, health, kinds) that app.py, the
# one factory, builds from config.
CONCRETE_BACKENDS = (
    "outreach.google",
    "outreach.microsoft",
    *(
        f"outreach.mail.{path.stem}"
        for path in sorted((PACKAGE / "mail").glob("*.py"))
        if path.stem.startswith(("gmail", "imap", "graph", "local", "smtp"))
    ),
)
# Signing in comes before any backend can be built, and `auth login --imap / --microsoft`
# names the provider itself: each sign-in service speaks to its provider's login directly.
SIGN_IN = ("outreach/services/accounts/",)


def test_services_reach_each_mailbox_only_through_its_protocols() -> None:
    found = offences(files("services"), CONCRETE_BACKENDS)
    assert [line for line in found if not line.startswith(SIGN_IN)] == []


def test_the_check_knows_every_backend_module() -> None:
    for module in ("gmail", "gmail_sync", "imap", "imap_read", "graph", "local", "local_inbox"):
        assert f"outreach.mail.{module}" in CONCRETE_BACKENDS
    for neutral in ("backend", "kinds", "sync_reader", "health", "maildir", "bodies"):
        assert f"outreach.mail.{neutral}" not in CONCRETE_BACKENDS


def backend_name_reads(path: Path) -> list[str]:
    """Where a module reads which backend is configured (``….mail.backend``) or compares a
    mail backend's name (``backend.name == …``, ``app.mail().name != …``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "backend"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "mail"
        ):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} reads mail.backend")
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Attribute) and side.attr == "name" and _is_a_backend(
                    side.value
                ):
                    found.append(
                        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} compares its name"
                    )
    return found


def _is_a_backend(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "mail"
    return isinstance(node, ast.Name) and node.id in ("backend", "mail")


def test_services_never_ask_which_backend_is_configured() -> None:
    assert [line for path in files("services") for line in backend_name_reads(path)] == []


@pytest.mark.parametrize(
    "source",
    [
        'if app.config.mail.backend == "gmail":\n    pass\n',
        'ok = config.mail.backend in ("gmail", "microsoft")\n',
        'local = backend.name == "local"\n',
        'gmail = app.mail().name != "gmail"\n',
    ],
)
def test_the_name_check_sees_every_spelling(tmp_path: Path, source: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake_package = tmp_path / "outreach"
    module = fake_package / "services" / "sample.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake_package)
    assert backend_name_reads(module) != []


def test_the_core_imports_no_adapter_and_no_app_context() -> None:
    forbidden = ("outreach.app", *(f"outreach.{name}" for name in ADAPTERS))
    assert offences(files(*CORE), forbidden) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from outreach.app import AppContext\n", "outreach.app"),
        ("if TYPE_CHECKING:\n    from outreach.app import AppContext\n", "outreach.app"),
        ("from ..app import AppContext\n", "outreach.app"),
        ("def f():\n    import outreach.app\n", "outreach.app"),
    ],
)
def test_the_check_sees_every_spelling_of_an_import(
    tmp_path: Path, source: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package = tmp_path / "outreach"
    module = fake_package / "mail" / "sample.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake_package)
    assert offences([module], (expected,)) != []
