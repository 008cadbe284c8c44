"""Conversation flows: model, YAML loader, validator, linter and the pure engine."""
