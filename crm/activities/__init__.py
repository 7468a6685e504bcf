"""Activities (notes, calls, emails, meetings) and tasks on countries and practices."""
