"""Outage events: the outage recorded, every sheet accounted for, and drills on a copy.

Modules: ``model`` (what an event is), ``service`` (declare, end, close), ``accounting``
(expected vs returned, entered, verified, lost, not used), ``drill`` (a marked copy of the
database). Kept import-free so the store can use the model without a cycle.
"""
