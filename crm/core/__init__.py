"""What every domain stands on: extensions, database settings, the organization's clock,
languages, errors, signals, the background-job registry, access levels, shared form pieces
and what templates see. Imports no domain package."""
