"""Tracking: what happened in each contact's thread, and what to do next.

- :mod:`outreach.track.model`: the values (``Stage``, ``EventKind``, ``Action``,
  ``ContactFacts``, ``DueAction``).
- :mod:`outreach.track.classify`: a message's metadata (Gmail ``format=metadata`` or a parsed
  ``.eml``) to an event kind: our send, reply, auto-reply (with its return date), bounce, other.
- :mod:`outreach.track.returndate`: the return date an out-of-office message states.
- :mod:`outreach.track.pipeline`: a contact's stage and its due actions, and business days.

All of these are pure: values in, values out, no I/O and no clock (``now`` is a parameter).
Sync, which reads Gmail or the local inbox and records events, sits at the edge.
"""
