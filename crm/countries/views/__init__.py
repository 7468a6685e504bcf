"""Screens of countries: one module per blueprint (staff pages, public availability pages)."""
