"""Contacts: the record model, importers for real-world exports, validation."""
