"""The tests of the demo area: app/demo/ and what it merges."""
