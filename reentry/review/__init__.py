"""The quality team's review of reconciliation runs: stored runs, flags worked to closure with
who/when/why, and the identity-vigilance cell's decisions on temporary identities.

``model`` (what is shown), ``lifecycle`` (what a new run does to each flag), ``record`` (a run
as stored), ``identities`` (every candidate of a temporary identity), ``service`` (resolving and
deciding, with the rights each needs).
"""
