"""The print station: plan every sheet of a ward, register it, then render and print it."""
