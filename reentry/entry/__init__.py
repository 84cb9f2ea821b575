"""Re-entry after the outage: who types, on which sheet and patient, and what was written."""
