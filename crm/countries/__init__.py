"""Countries and their pipelines: programs, availability, privacy reviews, agreements,
thresholds, the seed, and where each program is available."""
