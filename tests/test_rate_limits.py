"""Rate limits as Gmail sends them, through the real client against the fake:

- a 429 whose time to retry is only in its message ("User-rate limit exceeded.  Retry after
  2026-...Z") waits until then, not a random back-off;
- a 403 ``userRateLimitExceeded`` / ``rateLimitExceeded`` is retried like a 429;
- "Too many concurrent requests for user" halves the batches for the rest of the run;
- a time to retry longer than a run waits gives up at once, with the time, losing nothing;
- every draft is made exactly once throughout.

The pacer's sleep is recorded, not slept, so the waits can be read and the tests stay fast.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError

from outreach.mail.backend import DraftRequest, Failure
from outreach.mail.gmail import GmailBackend
from outreach.mail.gmail_sync import GmailSync, TransientSyncError
from outreach.mail.pacing import QuotaPacer
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import fake_gmail, gmail_backend  # noqa: F401


class Waits(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def backend(fake: FakeGoogle, retries: int = 5) -> tuple[GmailBackend, Waits]:
    waits = Waits()
    made = gmail_backend(fake, num_retries=retries, units_per_second=10_000)
    made.pacer = QuotaPacer(10_000, sleep=waits)
    return made, waits


def message(n: int) -> EmailMessage:
    made = EmailMessage()
    made["From"] = "sam@example.edu"
    made["To"] = f"person{n:03d}@example.org"
    made["Subject"] = f"A question {n}"
    made["Message-ID"] = f"<rl-{n}@outreach.test>"
    made.set_content("Hello")
    return made


def requests(count: int) -> list[DraftRequest]:
    return [DraftRequest(f"k{n}", message(n)) for n in range(count)]


def one_draft_each(fake: FakeGoogle, count: int) -> None:
    ids = [email.message_from_bytes(d.message.raw, policy=email.policy.default)["Message-ID"]
           for d in fake.drafts()]
    assert sorted(ids) == sorted(f"<rl-{n}@outreach.test>" for n in range(count))


def test_the_time_in_a_429s_message_is_waited_for(fake_gmail: FakeGoogle) -> None:  # noqa: F811
    gmail, waits = backend(fake_gmail)
    fake_gmail.inject(429, retry_after=7, path_pattern="/profile$", times=1)
    assert gmail.profile()["emailAddress"] == fake_gmail.email
    [wait] = waits
    assert 6 <= wait <= 7.1  # until the time Gmail named, less the time the answer took


def test_a_retry_after_header_is_honoured_when_there_is_one(
    fake_gmail: FakeGoogle,  # noqa: F811
) -> None:
    gmail, waits = backend(fake_gmail)
    fake_gmail.inject(429, retry_after=3, retry_after_header=True, path_pattern="/profile$",
                      times=1)
    gmail.profile()
    assert waits == [3.0]


@pytest.mark.parametrize("reason", ["userRateLimitExceeded", "rateLimitExceeded"])
def test_403_rate_limits_are_retried_like_429(
    fake_gmail: FakeGoogle, reason: str  # noqa: F811
) -> None:
    gmail, waits = backend(fake_gmail)
    fake_gmail.inject(403, reason=reason, path_pattern="/profile$", times=2)
    gmail.profile()
    assert len(waits) == 2 and gmail.stats.rate_limited == 2
    fake_gmail.inject(403, reason=reason, path_pattern="batch|drafts", times=3)
    results = gmail.upsert_drafts(requests(5))
    assert not [r for r in results.values() if isinstance(r, Failure)]
    one_draft_each(fake_gmail, 5)


def test_a_403_that_is_no_rate_limit_is_not_retried(fake_gmail: FakeGoogle) -> None:  # noqa: F811
    gmail, waits = backend(fake_gmail)
    fake_gmail.inject(403, reason="insufficientPermissions", path_pattern="/profile$", times=1)
    with pytest.raises(HttpError):
        gmail.profile()
    assert waits == []


def test_too_many_concurrent_requests_halves_the_batches_for_the_rest_of_the_run(
    fake_gmail: FakeGoogle,  # noqa: F811
) -> None:
    gmail, _ = backend(fake_gmail)
    fake_gmail.concurrency(10)
    results = gmail.upsert_drafts(requests(60))
    assert not [r for r in results.values() if isinstance(r, Failure)]
    one_draft_each(fake_gmail, 60)
    assert gmail.max_batch <= 10 and gmail.stats.parallelism_lowered >= 1
    sizes = batch_sizes(fake_gmail)
    assert sizes[0] == 50 and max(sizes[-3:]) <= 10
    fake_gmail.reset_log()
    gmail.upsert_drafts([DraftRequest(f"more{n}", message(100 + n)) for n in range(20)])
    assert max(batch_sizes(fake_gmail)) <= 10  # still lowered: the rest of the run
    assert 429 not in fake_gmail.status_counts


def batch_sizes(fake: FakeGoogle) -> list[int]:
    """Parts per batch of drafts.create, in order."""
    return [len(parts) for parts in fake.batches if "gmail.users.drafts.create" in parts]


def test_a_retry_time_beyond_what_a_run_waits_gives_up_at_once_and_says_when(
    fake_gmail: FakeGoogle,  # noqa: F811
) -> None:
    gmail, waits = backend(fake_gmail)
    fake_gmail.inject(429, retry_after=2 * 3600, path_pattern="/profile$", times=1)
    with pytest.raises(HttpError, match="Retry after"):
        gmail.profile()
    fake_gmail.inject(429, retry_after=2 * 3600, path_pattern="drafts$", times=2)
    results = gmail.upsert_drafts(requests(4))
    refused = {k: r for k, r in results.items() if isinstance(r, Failure)}
    assert len(refused) == 2
    assert all("asks to wait until" in r.reason and r.retryable for r in refused.values())
    assert waits == [] or max(waits) < 60  # nobody sat through two hours
    assert len(fake_gmail.drafts()) == 2  # the two others were made; the rest is re-runnable


def test_sync_treats_a_403_rate_limit_as_transient_not_as_missing_scopes(
    fake_gmail: FakeGoogle,  # noqa: F811
) -> None:
    gmail, _ = backend(fake_gmail, retries=1)
    fake_gmail.inject(403, reason="userRateLimitExceeded", path_pattern="/profile$")
    with pytest.raises(TransientSyncError, match="403"):
        GmailSync(gmail).current_history_id()


def test_a_send_rate_limited_for_hours_is_refused_and_can_be_sent_later(
    tmp_path: Path, fake_google: FakeGoogle, run: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.gmail_env import gmail_workspace as cli_workspace

    assert callable(run)
    cli_workspace(tmp_path, fake_google, run, monkeypatch, contacts=1)
    assert run("draft", "outreach", "person000@example.org").exit_code == 0
    # Gmail's daily sending limit: 429 "(Mail sending)" with a time hours away.
    fake_google.inject(429, retry_after=5 * 3600, path_pattern="drafts/send", times=1)
    refused = run("send", "--yes")
    assert refused.exit_code == 1 and "Retry after" in refused.output
    assert fake_google.messages(label="SENT") == []
    assert run("send", "--yes").exit_code == 0
    assert len(fake_google.messages(label="SENT")) == 1
