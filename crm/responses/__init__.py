"""Survey responses and practices: intake, matching, triage, the maintained tallies, the
questionnaire's vocabulary."""
