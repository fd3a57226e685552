"""The tests of the gateway area: app/gateway/ and what it merges."""
