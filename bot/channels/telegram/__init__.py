"""Telegram: the Bot API sender, its webhook and long polling, rendering and button data."""
