"""Data and model layer constructs: keys, buckets, log groups, invocation logging (and, as they
land, vector stores, knowledge bases and classification)."""
from .buckets import SecureBucket
from .invocation_logging import ModelInvocationLogging
from .keys import EncryptionKey
from .log_groups import SecureLogGroup

__all__ = ["EncryptionKey", "ModelInvocationLogging", "SecureBucket", "SecureLogGroup"]
