"""Job changes: re-importing a LinkedIn export where someone's company or position changed
records it in their timeline and puts a congratulation in `due`, drafted from a built-in
template that congratulates, gives a short update and asks for nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.compose.lint import lint, sample_context
from outreach.compose.templates import TemplateSource, load_templates
from outreach.contacts.jobs import job_change, same_text
from tests.conftest import Invoke
from tests.helpers_network import network_workspace, now, ok, one_line, outbox_messages, text_of

EXPORT = Path(__file__).parent / "data" / "contacts" / "linkedin_connections.csv"
ADA = "ada.lovelace@example.org"
OLD_JOB = 'Analytical Engines Ltd,"Principal Engineer, Compilers"'


@pytest.fixture
def imported(workspace: Path, run: Invoke) -> Path:
    """The LinkedIn export is imported on 2 March; Sam and Ada talk on 3 March."""
    network_workspace(workspace)
    (workspace / "march.csv").write_text(EXPORT.read_text(encoding="utf-8"), encoding="utf-8")
    ok(run("contacts", "import", str(workspace / "march.csv"),
           env=now("2026-03-02T09:00:00-05:00")))
    ok(run("met", ADA, "--notes", "compilers are a craft", "--takeaways",
           "write a small interpreter", env=now("2026-03-03T12:00:00-05:00")))
    ok(run("followup", env=now("2026-03-03T12:05:00-05:00")))
    ok(run("send", "--yes", env=now("2026-03-03T13:00:00-05:00")))
    return workspace


def reimport(home: Path, run: Invoke, new_job: str, moment: str) -> str:
    text = EXPORT.read_text(encoding="utf-8").replace(OLD_JOB, new_job)
    assert text != EXPORT.read_text(encoding="utf-8") or new_job == OLD_JOB
    (home / "may.csv").write_text(text, encoding="utf-8")
    return ok(run("contacts", "import", str(home / "may.csv"), env=now(moment)))


def test_a_changed_company_puts_them_in_due_with_a_congratulation(
    imported: Path, run: Invoke
) -> None:
    out = reimport(imported, run, 'Difference Works,"Principal Engineer, Compilers"',
                   "2026-05-04T09:00:00-04:00")
    assert "1 new job since the last import:" in out
    assert (f"Ada Lovelace <{ADA}>: Principal Engineer, Compilers at Analytical Engines Ltd -> "
            "Principal Engineer, Compilers at Difference Works") in out

    show = ok(run("contacts", "show", ADA, env=now("2026-05-04T10:00:00-04:00")))
    assert ("new job: Principal Engineer, Compilers at Analytical Engines Ltd -> Principal "
            "Engineer, Compilers at Difference Works (seen in may.csv)") in show
    detail = json.loads(ok(run("contacts", "show", ADA, "--json",
                               env=now("2026-05-04T10:00:00-04:00"))))
    assert detail["org"] == "Difference Works"
    assert [c["to"] for c in detail["job_changes"]] == [
        "Principal Engineer, Compilers at Difference Works"
    ]

    due = json.loads(ok(run("due", "--json", env=now("2026-05-04T10:00:00-04:00"))))
    [item] = [d for d in due if d["contact"] == ADA]
    assert item["action"] == "congratulate" and item["text"] == "congratulate them"
    assert item["command"] == f"outreach draft congratulate {ADA}"
    assert "new role seen on 2026-05-04" in item["reason"]

    ok(run("followup", env=now("2026-05-04T10:00:00-04:00")))
    [note] = [m for m in outbox_messages(imported, ADA) if "congratulations" in text_of(m)]
    text = one_line(text_of(note))
    assert ("congratulations on your new role as Principal Engineer, Compilers at Difference "
            "Works!") in text
    assert ("A quick update from my side: since we spoke, I've been working to write a small "
            "interpreter") in text
    assert "No need to reply" in text and "?" not in text
    assert note["Subject"] == "Re: Thank you, Ada"  # in her thread
    assert note["In-Reply-To"] is not None

    drafted = json.loads(ok(run("due", "--json", env=now("2026-05-04T10:05:00-04:00"))))
    [waiting] = [d for d in drafted if d["contact"] == ADA]
    assert waiting["drafted"] and waiting["command"] == f"outreach send {ADA}"
    ok(run("send", "--yes", env=now("2026-05-04T10:10:00-04:00")))
    after = json.loads(ok(run("due", "--json", env=now("2026-05-05T10:00:00-04:00"))))
    assert ADA not in {d["contact"] for d in after}
    # A congratulation is an exchange: keep-in-touch counts from it.
    later = json.loads(ok(run("due", "--json", env=now("2026-08-03T09:00:00-04:00"))))
    [keep] = [d for d in later if d["contact"] == ADA]
    assert keep["action"] == "keep_in_touch" and keep["due"] == "2026-08-02T00:00:00-04:00"


def test_a_new_title_at_the_same_company_is_a_new_job_too(imported: Path, run: Invoke) -> None:
    reimport(imported, run, 'Analytical Engines Ltd,"Head of Compilers"',
             "2026-05-04T09:00:00-04:00")
    due = json.loads(ok(run("due", "--json", env=now("2026-05-04T10:00:00-04:00"))))
    assert (ADA, "congratulate") in {(d["contact"], d["action"]) for d in due}


def test_a_re_spelled_company_is_not_a_new_job(imported: Path, run: Invoke) -> None:
    out = reimport(imported, run, 'ANALYTICAL ENGINES LIMITED,"Principal Engineer - Compilers"',
                   "2026-05-04T09:00:00-04:00")
    assert "new job" not in out
    due = json.loads(ok(run("due", "--json", env=now("2026-05-04T10:00:00-04:00"))))
    assert "congratulate" not in {d["action"] for d in due}
    # Re-importing the same file twice records the change once.
    reimport(imported, run, 'Difference Works,"Head of Compilers"', "2026-05-05T09:00:00-04:00")
    again = reimport(imported, run, 'Difference Works,"Head of Compilers"',
                     "2026-05-05T09:05:00-04:00")
    assert "new job" not in again
    detail = json.loads(ok(run("contacts", "show", ADA, "--json",
                               env=now("2026-05-05T10:00:00-04:00"))))
    assert len(detail["job_changes"]) == 1


def test_a_congratulation_is_late_after_a_month(imported: Path, run: Invoke) -> None:
    reimport(imported, run, 'Difference Works,"Head of Compilers"', "2026-05-04T09:00:00-04:00")
    due = json.loads(ok(run("due", "--json", env=now("2026-06-10T09:00:00-04:00"))))
    assert "congratulate" not in {d["action"] for d in due}


def test_a_dry_run_reports_the_change_and_records_nothing(imported: Path, run: Invoke) -> None:
    text = EXPORT.read_text(encoding="utf-8").replace(OLD_JOB, 'Difference Works,"Head"')
    (imported / "may.csv").write_text(text, encoding="utf-8")
    out = ok(run("contacts", "import", str(imported / "may.csv"), "--dry-run",
                 env=now("2026-05-04T09:00:00-04:00")))
    assert "Head at Difference Works" in out and "Dry run: nothing was written." in out
    due = json.loads(ok(run("due", "--json", env=now("2026-05-04T10:00:00-04:00"))))
    assert "congratulate" not in {d["action"] for d in due}


def test_someone_never_written_to_gets_congratulations_and_stays_new(
    workspace: Path, run: Invoke
) -> None:
    """A congratulation asks for nothing, so it is not a first message: no nudge follows."""
    network_workspace(workspace)
    (workspace / "march.csv").write_text(EXPORT.read_text(encoding="utf-8"), encoding="utf-8")
    ok(run("contacts", "import", str(workspace / "march.csv"),
           env=now("2026-03-02T09:00:00-05:00")))
    reimport(workspace, run, 'Difference Works,"Head of Compilers"', "2026-05-04T09:00:00-04:00")
    ok(run("draft", "congratulate", ADA, env=now("2026-05-04T10:00:00-04:00")))
    ok(run("send", "--yes", env=now("2026-05-04T10:05:00-04:00")))
    detail = json.loads(ok(run("contacts", "show", ADA, "--json",
                               env=now("2026-05-20T09:00:00-04:00"))))
    assert detail["stage"] == "new"
    due = json.loads(ok(run("due", "--json", env=now("2026-05-20T09:00:00-04:00"))))
    assert ADA not in {d["contact"] for d in due}
    [note] = outbox_messages(workspace, ADA)
    assert "All is well on my side" not in text_of(note)  # the user's field is the update
    assert "I'm still exploring healthcare analytics" in one_line(text_of(note))


def test_no_congratulation_while_the_first_message_waits_for_an_answer(
    workspace: Path, run: Invoke
) -> None:
    network_workspace(workspace)
    (workspace / "march.csv").write_text(EXPORT.read_text(encoding="utf-8"), encoding="utf-8")
    ok(run("contacts", "import", str(workspace / "march.csv"),
           env=now("2026-03-02T09:00:00-05:00")))
    ok(run("draft", "outreach", ADA, env=now("2026-03-02T09:00:00-05:00")))
    ok(run("send", "--yes", env=now("2026-03-02T10:00:00-05:00")))
    reimport(workspace, run, 'Difference Works,"Head of Compilers"', "2026-03-04T09:00:00-05:00")
    due = json.loads(ok(run("due", "--json", env=now("2026-03-04T10:00:00-05:00"))))
    assert "congratulate" not in {d["action"] for d in due}


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("Acme, Inc.", "ACME Inc", True),
        ("Müller & Söhne, GmbH", "Müller and Söhne", True),
        ("Acme", "Acme Labs", False),
        ("Senior Engineer", "senior  engineer", True),
    ],
)
def test_company_names_are_compared_as_people_read_them(old: str, new: str, same: bool) -> None:
    assert same_text(old, new) is same


def test_a_value_that_appears_or_goes_missing_is_not_a_change() -> None:
    assert job_change("", "Engineer", "Acme", "Engineer") is None
    assert job_change("Acme", "Engineer", "", "") is None
    change = job_change("Acme", "Engineer", "Initech", "")
    assert change is not None and (change.new_org, change.new_title) == ("Initech", "Engineer")


def _template(body: str) -> TemplateSource:
    subject = "Congratulations!" if "ongratulations" in body else "Good news"
    text = f"Subject: {subject}\nKind: congratulate\n\n{body}"
    return TemplateSource(name="custom", text=text, path=Path("/ws/templates/custom.txt"),
                          builtin=False)


@pytest.mark.parametrize(
    ("body", "rule", "severity"),
    [
        ("Hi {{ contact.first_name }},\n\nCongratulations! Could you introduce me to your new "
         "team?\n", "no-ask", "error"),
        ("Hi {{ contact.first_name }},\n\nCongratulations! Would you have 20 minutes for a "
         "chat?\n{{ slots | bulleted }}\n", "no-ask", "error"),
        ("Hi {{ contact.first_name }},\n\nCongratulations! Let me know if they are hiring.\n",
         "no-ask", "error"),
        ("Hi {{ contact.first_name }},\n\nCongratulations! How is it going?\n", "no-ask",
         "warning"),
        ("Hi {{ contact.first_name }},\n\nI saw the news about {{ contact.org }}.\n",
         "congratulates", "error"),
        ("Hi {{ contact.first_name }},\n\nCongratulations on the new role!\n", "update",
         "warning"),
    ],
)
def test_lint_holds_a_congratulation_to_asking_for_nothing(
    body: str, rule: str, severity: str
) -> None:
    findings = lint(_template(body), sample_context())
    assert (rule, severity) in {(f.rule, f.severity) for f in findings}, findings


def test_the_built_in_congratulation_passes_its_own_rules() -> None:
    assert lint(load_templates(None)["congratulate"], sample_context()) == []
