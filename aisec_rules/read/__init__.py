"""What a template is and how it is read: the bounded file reader, the loader (JSON, YAML, cdk.out,
SAM, Fn::ForEach), the read-only template view, values and IAM documents as data."""
