"""aisec rule pack: the AWS AI Security Framework as synth-time rules."""
