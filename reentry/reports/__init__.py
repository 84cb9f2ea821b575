"""Reports for the quality team on one outage event, and the event's audit pack.

Modules: ``gather`` (the report as plain data, from the store only), ``labels`` (how codes
read), ``pdf`` (tables and charts), ``csv_out`` (the same per ward, and the open items),
``quality`` (the three report files), ``audit_pack`` (a folder that tells the whole story, with
a manifest of SHA-256 digests).
"""
