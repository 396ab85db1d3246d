"""Pure rules of the directive's world (no Rasa, no database, no I/O but the data files).

- :mod:`bot.domain.text` -- Vietnamese text folding, with offsets back to the raw message.
- :mod:`bot.domain.dates` -- ``DD/MM/YYYY``, "today" and local times in Asia/Ho_Chi_Minh.
- :mod:`bot.domain.periods` -- quarters, years and obligation kinds in messages.
- :mod:`bot.domain.obligations` -- naming the plan and reports; operator-default due dates.
- :mod:`bot.domain.agencies` -- the 93 addressees of 2022, their names and successors.
- :mod:`bot.domain.phrases` -- the agency phrase of a question no gazetteer entry matched.
- :mod:`bot.domain.reactions` -- whether a typed "yes" / "no" judges an answer ("đúng rồi") or not ("có").
"""
