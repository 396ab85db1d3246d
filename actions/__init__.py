"""Custom actions of the assistant, served by rasa-sdk (``python -m rasa_sdk --actions actions``).

- :mod:`actions.knowledge` -- chooses which fact response of ``domain.yml`` answers.
- :mod:`actions.lookups` -- deadlines, an agency's submissions, follow-ups, the agency form.
- :mod:`actions.officials` -- linking accounts, recording submissions, reminders on/off.
- :mod:`actions.feedback` -- ratings of the answers about the directive, and what was wrong.
- :mod:`actions.corrections` -- an official withdraws or corrects a record (wording in
  :mod:`actions.correction_replies`).
- :mod:`actions.identity` -- who wrote: the chat account and its linked agency.
- :mod:`actions.parsing` -- pure readers of the user's words (dates, numbers, years).
- :mod:`actions.replies`, :mod:`actions.official_replies` -- the Vietnamese wording.
- :mod:`actions.services` -- the repositories, every database call bounded in time.
"""
