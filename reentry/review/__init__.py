"""The quality team's review of reconciliation runs: stored runs, flags worked to closure with
who/when/why, and the identity-vigilance cell's decisions on temporary identities.

``record`` (a run turned into what the store keeps), ``identities`` (every candidate of a
temporary identity), ``service`` (resolving and deciding, with the rights each needs). What is
shown, what a new run does to each flag and a run as stored are domain types the store uses too:
``reentry.domain.review``, ``review_lifecycle``, ``review_reasons`` and ``review_run``.
"""
