"""The skill of the day, without Discord: ``logic`` (which skill next, themes), ``search``
(finding and suggesting skills), ``card`` (a card's text) and ``store`` (its SQL)."""
