"""Screens of accounts: one module per blueprint (own account, administration)."""
