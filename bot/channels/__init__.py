"""Messaging channels for the assistant, loaded by Rasa from ``credentials.yml``.

- :mod:`bot.channels.telegram` -- Telegram Bot API webhook (subclass of Rasa's connector).
- :mod:`bot.channels.zalo` -- Zalo Official Account webhook and OA v3 message API.
- :mod:`bot.channels.webchat` -- socket.io channel with working session persistence,
  and the website widget page served at ``/widget/``.
- :mod:`bot.channels.common` -- texts and helpers shared by the connectors.
"""

from bot.action_guard import install_action_guard

# Every Rasa server that loads one of our channels bounds its custom actions.
install_action_guard()
