"""notify_hook callbacks: each task's hook token and the deliveries it received."""
