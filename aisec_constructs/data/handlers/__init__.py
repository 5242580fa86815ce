"""Lambda handler code of the data layer custom resources (deployed as assets, tested in plain Python)."""
