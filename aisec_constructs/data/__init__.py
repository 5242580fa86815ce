"""Data and model layer constructs: keys, buckets, log groups, vector stores, knowledge bases, invocation logging."""
