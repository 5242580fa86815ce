"""Secure-by-default AWS CDK constructs for AI workloads."""
