"""The layering of DESIGN.md, drawn from the imports themselves: adapters (store, mail, google,
microsoft) take config values and never import the AppContext; the faces (cli, web) reach mail
and calendars only through services; the pure core (compose, schedule, track) imports no
adapter and no AppContext. Every import counts, including those only for type checking."""

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
