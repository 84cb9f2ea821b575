"""The domain of each area: the types and pure rules that services, store adapters and screens
share (who types, the sheets planned, events, admissions, scans, double entry, reconciliation
review).

Modules here import nothing but other domain modules (``reentry.model``, ``reentry.registry``,
``reentry.formdefs_model``, ``reentry.i18n``, ``reentry.errors``...): never a service, never the
store, so that the store adapters can read and write these types without importing the services
that use them. ``docs/architecture.md`` shows the layers; ``lint-imports`` checks them.
"""
