"""Command-line front end over the core engine (no Qt imported here).

Kept empty on purpose: importing any part of the CLI runs this file first, and the fast path
(fast_path.py, a search answered by a running engine) must not pay for the parser of every
command (main.py) or for the commands' own modules.
"""
