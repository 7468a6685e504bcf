"""Data in and out: the legacy import of survey responses, and exports."""
