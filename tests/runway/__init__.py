"""The tests of the runway area: app/runway/ and what it merges."""
