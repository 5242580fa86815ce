"""Data and model layer constructs: keys, buckets, log groups, invocation logging, vector stores,
knowledge bases and their connector sources and secrets, model access grants and data classification."""
from .buckets import SecureBucket
from .classification import DataClassification
from .connectors import ConnectorSource
from .evidence import EvidenceArchive
from .invocation_logging import ModelInvocationLogging
from .keys import EncryptionKey
from .knowledge_base import KnowledgeBase
from .log_groups import SecureLogGroup
from .model_access import ModelAccess
from .opensearch_index import OpenSearchVectorIndex
from .secrets import ConnectorSecret
from .vector_stores import OpenSearchVectorCollection, S3VectorStore

__all__ = [
    "ConnectorSecret", "ConnectorSource", "DataClassification", "EncryptionKey", "EvidenceArchive", "KnowledgeBase", "ModelAccess", "ModelInvocationLogging",
    "OpenSearchVectorCollection", "OpenSearchVectorIndex", "S3VectorStore", "SecureBucket", "SecureLogGroup",
]
