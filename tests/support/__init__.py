"""Test support shared by several suites: the loopback Discord lives in ``tests.support.loopback``."""
