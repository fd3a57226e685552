"""What leaves the console: a task's share page, signed share links, and the export zip."""
