"""Channel adapters: one per platform, all behind the Channel protocol."""
