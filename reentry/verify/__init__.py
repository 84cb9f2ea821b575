"""Double entry: a second person checks what the first typed from paper, before it counts.

Per form template the hospital chooses ``none`` (typed once: "entered, not double-checked"),
``sighted`` (a second person reads the first entry beside the paper and confirms or corrects
each row) or ``blind`` (a second person types the sheet again without seeing the first entry;
the differences go to a third person who decides, value by value). Only sheets that went through
one of the two checks are *verified*; exports can be limited to their items.

Modules: ``stage`` (where a sheet stands and who may act), ``second_entry`` (the blind second
typing), ``compare`` (the differences), ``decision`` (the third person's choice, applied as
corrections), ``sighted`` (the check beside the paper), ``routing`` (what a scan opens for
whom). The mode of each form is chosen in ``reentry.sheets.policy``, below this package: every
sheet's expected state depends on it.
"""
