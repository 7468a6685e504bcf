"""The readiness screens, one module per blueprint: the IQSG dashboard (``dashboard``) and the
what-if page (``whatif``)."""
