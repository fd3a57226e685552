"""The tests of the team area: app/team/ and what it merges."""
