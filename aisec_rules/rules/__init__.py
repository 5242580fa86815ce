"""Rule modules, one per control (or a few closely related controls), grouped by layer."""
