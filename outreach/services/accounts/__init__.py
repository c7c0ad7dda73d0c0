"""Connecting mail accounts that are not Google's (Google's sign-in is outreach.google)."""
