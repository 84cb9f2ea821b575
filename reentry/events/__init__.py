"""Outage events: the outage recorded, every sheet accounted for, and drills on a copy.

Modules: ``service`` (declare, end, close), ``accounting`` (expected vs returned, entered,
verified, lost, not used), ``drill`` (a marked copy of the database). What an event is lives in
``reentry.domain.events``, which the store uses too.
"""
