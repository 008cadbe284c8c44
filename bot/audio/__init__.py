"""Text-to-speech for every message: engines, a content-addressed cache, an HTTP route."""
