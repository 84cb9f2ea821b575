"""What became of every printed sheet, decided once for every screen, command and report.

The states, the facts, and the one function that decides a sheet's state from its facts are
in ``reentry.domain.sheet_state`` (pure; the store uses them too); ``tracking`` reads every
sheet of a ward, batch or event from the store with its state, who it is about and its
history's times; ``policy`` says which double entry each form gets (a sheet waits for its check
only if its form has one).
"""
