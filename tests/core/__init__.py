"""The tests of the core area: app/core/ and what it merges."""
