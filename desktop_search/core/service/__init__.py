"""A running engine (the app's, or `desktop-search watch`'s) answering CLI commands over a local
socket only its user can open, so a one-off `desktop-search search` needs no model load."""
