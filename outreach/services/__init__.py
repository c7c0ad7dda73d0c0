"""Use cases that join the pure core to the adapters: one function per thing a user does.

Commands call these; so does `outreach demo`. Each owns its transactions.
"""
