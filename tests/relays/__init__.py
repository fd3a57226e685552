"""The tests of the relays area: app/relays/ and what it merges."""
