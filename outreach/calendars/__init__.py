"""Adapters for calendars that are not Google's: an .ics feed's secret address."""
