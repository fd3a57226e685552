"""The tests of the simulator area: app/simulator/ and what it merges."""
