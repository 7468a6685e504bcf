"""Global search of the staff screens and the API: countries, practices, contacts, responses
and tasks, whatever the case, accents and punctuation (docs/decisions.md#search-index)."""
