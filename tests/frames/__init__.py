"""The tests of the frames area: app/frames/ and what it merges."""
