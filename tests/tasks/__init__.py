"""The tests of the tasks area: app/tasks/ and what it merges."""
