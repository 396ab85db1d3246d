"""The operators' console, served at ``/admin/`` on the Rasa server's port when
``ADMIN_TOKEN`` is set (README "Operators' console").

- :mod:`bot.admin.staff` -- staff accounts (argon2id password hashes) and the
  audit entries of what staff do in the console.
- :mod:`bot.admin.auth` -- who is asking: the machine token, signed session
  cookies, and the rate limit on wrong passwords and tokens.
- :mod:`bot.admin.compliance` -- the "Tình hình nộp" matrix and agency pages.
- :mod:`bot.admin.insight` -- "Câu hỏi": messages per day, top intents and the
  unanswered questions, read from Rasa's SQL tracker store (table ``events``).
- :mod:`bot.admin.health` -- "Hệ thống": channels, their last message, Zalo
  tokens, reminders (and the scheduler's last pass), undelivered replies and
  open hand-offs to staff.
- :mod:`bot.admin.console` -- the Sanic blueprint (``bot.admin.console.AdminConsole``
  in ``credentials.yml``) serving the page and its JSON API.
"""
