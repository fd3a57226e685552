"""The relay check: probing an address and key end to end, its callback rehearsal and report."""
