"""Rules of the application layer."""
