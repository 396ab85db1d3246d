"""Rasa NLU graph components for Vietnamese, named in ``config.yml``.

- :mod:`bot.nlu.tokenizer` -- underthesea word segmentation with exact raw offsets.
- :mod:`bot.nlu.agency_extractor` -- the gazetteer of the 93 addressees (spaCy PhraseMatcher).
- :mod:`bot.nlu.rule_intent` -- base of intents set by a rule (confidence 1.0):
  :mod:`bot.nlu.agency_answer` (a message that only names an agency) and
  :mod:`bot.nlu.link_code` (a message holding a link code).
- :mod:`bot.nlu.augment` -- training copies without diacritics, and held-out variants.
"""
