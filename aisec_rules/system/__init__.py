"""The system: stacks grouped into environments, the join across the stacks of one environment, and
capability and service detection."""
