"""`outreach doctor`'s token check: is the saved Google token alive, and what may it read?

One self-contained check (doctor runs a list of them): it refreshes the token once at
Google's token endpoint, asking for exactly the scopes config.toml needs, so a dead token
(``invalid_grant``: a Testing-mode app's 7-day expiry, or revoked access) or a missing scope
shows here, with the fix, before a sync or a send meets it.
"""

from __future__ import annotations

from outreach.app import AppContext
from outreach.services.doctor import Check


def google_token_check(app: AppContext) -> Check:
    """The "token" check: alive with the needed scopes, or why not and what to do."""
    from outreach.google.auth import check_token, scopes_for, status

    config = app.config
    account = config.user.email
    saved = status(account)
    if not saved.connected:
        return Check(
            "token",
            False,
            f"no token for {account}",
            "README 'Connect your Gmail' step 6: run `outreach auth login`.",
        )
    found = check_token(account, config.google.api_root, scopes_for(config.google.read_scope))
    detail = found.detail
    login_at = saved.summary.get("login_at")
    if login_at:
        detail += (
            f"; logged in {login_at[:10]} (an app in Testing mode must log in again by "
            f"{saved.summary['testing_expiry'][:10]})"
        )
    return Check("token", found.ok, detail, found.fix)
