"""Sync: reading the mailbox back (Gmail, local Maildir) and watching it."""
