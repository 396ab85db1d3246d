"""Trợ lý 797: a Rasa assistant for Văn bản 797/BTTTT-THH (Bộ TT&TT, 06/03/2022).

Sub-packages: ``bot.nlu`` (Rasa graph components for Vietnamese), ``bot.db``
(SQLAlchemy data model and repository); modules ``bot.domain.text`` (normalisation),
``bot.settings`` (the one place that reads the environment).
"""
