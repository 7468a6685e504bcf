"""Screens of outreach: one module per blueprint (invitations and unsubscribing, alerts)."""
