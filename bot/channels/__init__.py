"""Channel plug-ins: one per platform, listed once in bot.channels.registry."""
