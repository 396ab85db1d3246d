"""Helpers the tests share (not tests themselves): fake Telegram and Zalo
servers, workbook builders, database snapshots, rasa-sdk trackers."""
