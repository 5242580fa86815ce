"""Data and model layer constructs: keys, buckets, log groups, invocation logging, vector stores,
knowledge bases, model access grants and data classification."""
from .buckets import SecureBucket
from .classification import DataClassification
from .invocation_logging import ModelInvocationLogging
from .keys import EncryptionKey
from .knowledge_base import KnowledgeBase
from .log_groups import SecureLogGroup
from .model_access import ModelAccess
from .opensearch_index import OpenSearchVectorIndex
from .vector_stores import OpenSearchVectorCollection, S3VectorStore

__all__ = [
    "DataClassification", "EncryptionKey", "KnowledgeBase", "ModelAccess", "ModelInvocationLogging",
    "OpenSearchVectorCollection", "OpenSearchVectorIndex", "S3VectorStore", "SecureBucket", "SecureLogGroup",
]
