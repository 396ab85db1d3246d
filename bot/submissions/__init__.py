"""The operator's files of submissions.

- :mod:`bot.submissions.tabular` -- reading and writing ``.csv``/``.xlsx`` cells safely.
- :mod:`bot.submissions.rows` -- checking rows against the database's ids (pure).
- :mod:`bot.submissions.importer` -- importing a file, all or nothing.
- :mod:`bot.submissions.export` -- the status and overdue tables.
"""
