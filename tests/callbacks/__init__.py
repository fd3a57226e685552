"""The tests of the callbacks area: app/callbacks/ and what it merges."""
