"""Plug-ins of the Rasa server and the processes around it.

- :mod:`bot.server.patches` -- every run-time patch of Rasa 3.6, installed from
  ``credentials.yml`` (``bot.server.patches.RasaPatches``).
- :mod:`bot.server.lock_store` -- Rasa's Redis lock store with atomic tickets
  (``endpoints.yml``: ``type: bot.server.lock_store.AtomicRedisLockStore``).
- :mod:`bot.server.launcher` -- starts the action server, the Rasa server(s),
  the reminder scheduler and nginx, waits until they answer and stops them
  (``make run``, ``make run-cluster``, the tests and the benchmark).
- :mod:`bot.server.cluster` -- the scale-out configuration: PostgreSQL
  databases, nginx's configuration.
"""
