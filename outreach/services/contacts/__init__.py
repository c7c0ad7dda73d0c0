"""Contacts: adding, editing, closing, and each one's conversation and timeline."""
