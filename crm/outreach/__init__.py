"""Outreach: the outbox, survey invitations, alerts and digests, the emails the CRM sends."""
