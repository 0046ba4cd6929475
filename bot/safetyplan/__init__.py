"""The personal safety plan, without Discord: ``logic`` (its sections, cleaning and the text
file) and ``store`` (its SQL, encrypted at rest)."""
