"""Understanding free text: global commands, intents, themes."""
