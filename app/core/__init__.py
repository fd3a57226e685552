"""Vocabulary and settings every package may use: the one Settings class, keys and their masks,
translation, ISO times, JSON values, where templates and static files live."""
