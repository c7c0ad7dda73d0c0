"""Meetings: free time, booking, invites, the calendar copy, RSVPs and what was said."""
