"""Saved views: a staff list's filters and sort kept under a name, for oneself or shared."""
