"""Operations change state: each flushes, records its audit event and returns what it changed;
the view (or CLI command) commits once. One module per area: ``pipeline``, ``triage``, ..."""
