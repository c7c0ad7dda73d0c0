"""A seeded simulator that follows `outreach due` blindly through the real CLI (issue 17).

- ``mailbox``: what the contacts received, from the backend's own record, parsed back;
- ``people``: the contacts and their side, each playing a random mix of moves as real mail;
- ``user``: the simulated user, who does exactly what ``due --json`` says;
- ``invariants``: what must hold after every step, checked on the parsed messages;
- ``run``: the days, one after another, and a failure that names seed, contact, day, message.
"""
