"""Reporting: what is due, status figures, and export."""
