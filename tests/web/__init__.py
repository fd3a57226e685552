"""The tests of the web area: app/web/ and what it merges."""
