"""Running it for real: the worker's heartbeat, health and readiness checks, Prometheus
metrics (docs/deploy.md)."""
