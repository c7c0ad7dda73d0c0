"""The realistic sample a template is linted with, and the bare contact it must also suit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from outreach.compose.render import RenderContext, meeting_vars, user_vars
from outreach.contacts.model import Contact

if TYPE_CHECKING:
    from outreach.config import UserConfig


@dataclass(frozen=True)
class SampleSlot:
    """Stands in for a scheduler slot: formats itself in both zones."""

    text: str

    def __str__(self) -> str:
        return self.text


SAMPLE_TODAY = date(2026, 3, 2)
SAMPLE_SLOTS: tuple[SampleSlot, ...] = (
    SampleSlot("Tue 3 Mar, 15:00-15:20 GMT (10:00-10:20 EST, your time)"),
    SampleSlot("Wed 4 Mar, 16:30-16:50 GMT (11:30-11:50 EST, your time)"),
    SampleSlot("Thu 5 Mar, 14:00-14:20 GMT (09:00-09:20 EST, your time)"),
)
_SAMPLE_USER = {
    "name": "Alex Morgan",
    "email": "alex.morgan@example.com",
    "signature": "Alex Morgan\nMSc Data Science, University of Leeds",
    "timezone": "Europe/London",
    "first_name": "Alex",
}


def _sample_contact() -> Contact:
    return Contact(
        id=0,
        name="Maya Chen",
        email="maya.chen@example.org",
        first_name="Maya",
        last_name="Chen",
        org="Northwind Health",
        title="Senior Data Scientist",
        timezone="America/New_York",
        linkedin_url="https://www.linkedin.com/in/example",
        notes="Leads the forecasting team; spoke at PyData about hospital demand models.",
        source="linkedin",
    )


def _sample_meeting() -> dict[str, Any]:
    values = meeting_vars(
        start="Tue 3 Mar, 15:00 GMT",
        end="15:20 GMT",
        when="Tuesday 3 March, 15:00-15:20 GMT (10:00-10:20 EST, your time)",
        join="https://meet.example.com/abc-defg-hij",
        notes="moving from academic research into healthcare analytics",
        takeaways=(
            "building a portfolio of small, finished projects\n"
            "asking teams how they review models before deployment"
        ),
        referrals=[
            {
                "name": "Grace Okafor",
                "email": "grace.okafor@example.net",
                "outcome": "met",
                "when": "in March",
                "referred": ["Tomás Reyes"],
                "may_name": True,
            }
        ],
    )
    values["promises"] = ["send the link to my thesis", "introduce you to Dana Whitfield"]
    values["resources"] = "the NHS-R community\nForecasting: Principles and Practice"
    return values


def sample_context(user: UserConfig | None = None, *, meeting_minutes: int = 20) -> RenderContext:
    """A realistic context for preview and lint, without a real contact.

    Pass the configured user so templates see your real ``[user]`` values (extras included).
    """
    contact = _sample_contact()
    referrer = Contact(
        id=0,
        name="Priya Raman",
        email="priya.raman@example.com",
        first_name="Priya",
        org="Northwind Health",
        title="Analytics Manager",
    )
    return RenderContext(
        contact=contact.template_vars(),
        contact_label=f"sample {contact.label()}",
        user=dict(_SAMPLE_USER) if user is None else user_vars(user),
        today=SAMPLE_TODAY,
        slots=SAMPLE_SLOTS,
        referrer=referrer.template_vars(),
        meeting=_sample_meeting(),
        meeting_minutes=meeting_minutes,
    )


def minimal_context(kind: str, base: RenderContext) -> RenderContext:
    """A contact with only a name and email; referrer and meeting only where the kind needs."""
    contact = Contact(id=0, name="Jordan Lee", email="jordan.lee@example.net")
    referrer = None
    meeting = None
    if kind == "referral":
        referrer = Contact(id=0, name="Sam Patel", email="sam.patel@example.net").template_vars()
    if kind in ("confirm", "thankyou"):
        meeting = meeting_vars(
            start="Tue 3 Mar, 15:00 GMT",
            end="15:20 GMT",
            notes="moving from teaching into product design" if kind == "thankyou" else "",
        )
    return replace(
        base,
        contact=contact.template_vars(),
        contact_label=f"a contact with only a name and email ({contact.label()})",
        referrer=referrer,
        meeting=meeting,
    )
