"""Readiness: the rules (pure), the facts from the database, the recorded history, and the
IQSG dashboard."""
