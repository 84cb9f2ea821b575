"""Paper form definitions as data: ``*.json``, validated against ``schema.json`` (docs/forms.md)."""
