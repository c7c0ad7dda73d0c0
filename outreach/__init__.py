"""outreach: an informational-interview pipeline in the terminal."""

__version__ = "0.1.0"
