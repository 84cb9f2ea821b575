"""What became of every printed sheet, decided once for every screen, command and report.

Modules: ``state`` (the states, the facts, and the one function that decides a sheet's state
from its facts; pure), ``tracking`` (every sheet of a ward, batch or event read from the store
with its state, who it is about and its history's times).
"""
