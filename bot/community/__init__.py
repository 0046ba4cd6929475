"""Prompts, sessions, goals and celebrations, without Discord.

``logic`` holds what they share (lengths, weekdays, timestamps); ``prompts``, ``sessions``,
``digest``, ``goals`` and ``celebrations`` each feature's rules and wording; ``store`` its SQL
(``store_sessions``, ``store_goals`` and ``store_reads``, other features' tables read defensively).
"""
