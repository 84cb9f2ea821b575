"""Reconciliation: what the paper said against what the SIH holds after recovery."""
