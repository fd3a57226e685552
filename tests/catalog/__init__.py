"""The tests of the catalog area: app/catalog/ and what it merges."""
