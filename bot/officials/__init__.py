"""Features for officials of the addressees (their accounts' data lives in :mod:`bot.db.accounts`).

- :mod:`bot.officials.link_codes` -- one-time link codes (pure helpers).
- :mod:`bot.officials.reminders` -- deadline reminders: plan, senders, scheduler
  (the delivery log is :mod:`bot.db.reminders`).
"""
