"""Accountability pairs, without Discord: ``pairing`` (the matcher), ``logic`` (a round's dates
and texts) and ``store`` (its SQL)."""
