"""Respondents' privacy: the privacy notice's versions, data-subject requests, retention."""
