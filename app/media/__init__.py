"""Saved outputs: copying a task's video from upstream into the object store once, and serving
it."""
