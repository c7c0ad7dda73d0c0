"""Scheduling core: busy times, working hours, slot proposals and iCalendar invites.

Everything here is pure (values in, values out): the current time is a parameter, nothing reads
the clock or the network. The one exception is :func:`outreach.schedule.busy.load_ics_busy`, a
small adapter that reads an ``.ics`` file and names it in any error.

Modules:

- :mod:`~outreach.schedule.intervals`: :class:`Interval` and interval arithmetic (merge, pad,
  subtract).
- :mod:`~outreach.schedule.busy`: busy intervals from iCalendar bytes and from Google freebusy.
- :mod:`~outreach.schedule.slots`: :func:`propose_slots` and the :class:`Slot` it returns.
- :mod:`~outreach.schedule.invites`: ``METHOD:REQUEST`` / ``METHOD:CANCEL`` invites as bytes.
- :mod:`~outreach.schedule.vtimezone`: the organiser's zone as a rule-based ``VTIMEZONE``,
  checked against zoneinfo.
"""

from __future__ import annotations
