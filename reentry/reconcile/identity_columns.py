"""The columns of an identity file (``reentry link-identities LEFT.csv RIGHT.csv``), in order.

On their own so that whoever writes such a file (the downtime admissions, the demo) names them
without loading the linker.
"""

COLUMNS = ("id", "birth_name", "used_name", "given_names", "birth_date", "sex", "birth_place",
           "address", "postcode", "city", "national_id")
