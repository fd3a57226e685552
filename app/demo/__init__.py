"""The demo page's service: sample runs for a customer, its sessions and allowance."""
