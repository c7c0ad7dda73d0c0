"""Running `watch` in the background: the per-user service, its heartbeat, notifications,
the morning summary and digest."""
