"""The tests of the storage area: app/storage/ and what it merges."""
