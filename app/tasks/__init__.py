"""A task's life: the service the routes call, submitting once per token, recording, reading
upstream at most once per interval, callbacks received, and tasks nobody watches."""
