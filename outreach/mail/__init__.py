"""Mail backends: the local Maildir outbox and Gmail, behind one interface."""
