"""Messaging channels for the assistant, loaded by Rasa from ``credentials.yml``.

- :mod:`bot.channels.rest` -- Rasa's REST channel, hardened (input checks, limits).
- :mod:`bot.channels.telegram` -- Telegram Bot API webhook (subclass of Rasa's connector).
- :mod:`bot.channels.zalo` -- Zalo Official Account webhook and OA v3 message API.
- :mod:`bot.channels.webchat` -- socket.io channel with working session persistence,
  and the website widget page served at ``/widget/``.
- :mod:`bot.channels.delivery` -- the one outbound delivery policy (retries, what is final).
- :mod:`bot.channels.common` -- texts and helpers shared by the connectors.
- :mod:`bot.channels.config` -- required settings and secret masking, without Rasa.

Importing a channel changes nothing in Rasa: run-time patches are installed by
``bot.server.patches.RasaPatches`` (``credentials.yml``).
"""
