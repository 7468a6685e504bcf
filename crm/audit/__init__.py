"""The audit trail: every staff write with who, when, old and new values, and its reading."""
