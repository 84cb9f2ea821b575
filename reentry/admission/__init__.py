"""Downtime admissions: patients who arrived during the outage, under a temporary identity.

``provisional_identities(store)`` gives them as rows of an identity file (the columns of
``reentry link-identities``) so that the reconciliation can link them to their SIH record.
"""

from reentry.admission.identities import provisional_identities, write_identity_file

__all__ = ["provisional_identities", "write_identity_file"]
