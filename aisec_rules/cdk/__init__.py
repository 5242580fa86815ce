"""The pack's face to the AWS CDK: the policy-validation plugin, the cdk-nag 2/3 differences, and the
report handed to CDK."""
