"""Members and budgets: tokens, usage per day, the daily budget's hold, login sessions and the
token command line."""
