"""Rules of the infrastructure layer."""
