"""Survey drafts: answers a respondent saved to continue later (docs/domain.md#drafts)."""
