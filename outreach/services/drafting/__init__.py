"""Drafting: who gets which message, rendered how, written as drafts; previews and follow-ups."""
