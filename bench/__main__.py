"""``python -m bench`` (what ``make bench`` runs): see ``bench.run``."""

from bench.run import main

main()
