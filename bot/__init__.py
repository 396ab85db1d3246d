"""Trợ lý 797: a Rasa assistant for Văn bản 797/BTTTT-THH (Bộ TT&TT, 06/03/2022).

The package tree is the architecture (``docs/architecture.md`` follows one
message through it):

- :mod:`bot.settings` -- the one place that reads the environment.
- :mod:`bot.domain` -- pure rules of the directive's world: Vietnamese text,
  dates, periods, addressees, obligations (no Rasa, no database).
- :mod:`bot.nlu` -- Rasa NLU graph components for Vietnamese (``config.yml``).
- :mod:`bot.channels` -- Rasa connectors: REST, socket.io widget, Telegram,
  Zalo, and the one outbound delivery policy (``credentials.yml``).
- :mod:`bot.server` -- what runs around and inside the Rasa server: patches of
  Rasa, the Redis lock store, the process launcher, the scale-out set-up.
- :mod:`bot.db` -- the agency database: models, migrations, seed, queries.
- :mod:`bot.officials` -- officials' features: link codes, deadline reminders.
- :mod:`bot.submissions` -- operator files: reading and writing tables,
  importing submissions, export tables.
- :mod:`bot.cli` -- the operator's command line, ``python -m bot``.

The custom actions live beside this package, in ``actions/`` (rasa-sdk).
"""
