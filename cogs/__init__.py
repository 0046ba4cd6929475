"""The Discord face of each feature: one extension per module, thin, calling into ``bot/``."""
