"""Performance bench: data generator, bare-Flask baseline, load runs, one table.

Not part of ``make test`` or CI: ``make bench`` runs it (README "Performance").
"""
