"""Sending drafts, once each, under the daily cap."""
