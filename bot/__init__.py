"""The running Porte-voix service."""
