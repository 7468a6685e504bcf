"""The CRM domain: models, readiness rules, operations, and the staff and dashboard screens."""
