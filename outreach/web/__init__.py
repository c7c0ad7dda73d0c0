"""The local web app (`outreach ui`): the same services as the command line, as pages.

As thin as ``cli/``: each handler calls one service and renders what it returns; every rule
lives in ``services/`` and below, so the page and the terminal never disagree.
"""
