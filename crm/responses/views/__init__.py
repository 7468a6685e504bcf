"""Screens of responses: one module per blueprint (the inbox, practices and contacts)."""
