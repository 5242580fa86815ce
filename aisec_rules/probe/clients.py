"""The AWS clients of ``aisec probe``, from the usual credential chain (environment, profile, SSO, instance
role) with ``--profile`` and ``--region``; ``--endpoint-url`` points bedrock-runtime elsewhere (a VPC
endpoint, a test server).

boto3 is imported here and only when a client is made, so the rest of the command line works without it
(``pip install "aisec-cdk[probe]"`` installs it). botocore's own retries are off for bedrock-runtime: the
runner retries throttled calls itself, with backoff, and counts them. Every problem (no boto3, an unknown
profile, no credentials, no Region) is a :class:`~aisec_rules.probe.runner.ProbeError` with one line.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from .runner import ProbeError


class Clients:
    """One boto3 session; clients per (service, Region), made on first use."""

    def __init__(self, profile: Optional[str] = None, region: Optional[str] = None,
                 endpoint_url: Optional[str] = None, concurrency: int = 4) -> None:
        try:
            import boto3
            import botocore.config
            import botocore.exceptions
        except ImportError:
            raise ProbeError("aisec probe needs boto3: pip install \"aisec-cdk[probe]\"") from None
        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.BotoCoreError as error:  # ProfileNotFound and friends
            raise ProbeError(f"{error}") from None
        if self.session.get_credentials() is None:
            raise ProbeError("no AWS credentials found: configure them as for the AWS CLI (environment variables, "
                             "a profile with --profile, SSO, an instance or task role)")
        self.region = region or self.session.region_name
        self.endpoint_url = endpoint_url
        self._config = botocore.config.Config(retries={"total_max_attempts": 1},
                                              max_pool_connections=max(10, concurrency),
                                              user_agent_extra="aisec-probe", connect_timeout=10, read_timeout=60)
        self._clients: Dict[Tuple[str, Optional[str]], Any] = {}

    def _client(self, service: str, region: Optional[str], **options: Any) -> Any:
        region = region or self.region
        if not region:
            raise ProbeError("no AWS Region: pass --region, or set AWS_REGION or a profile's region")
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region, **options)
        return self._clients[key]

    def bedrock_runtime(self, region: Optional[str] = None) -> Any:
        return self._client("bedrock-runtime", region, endpoint_url=self.endpoint_url, config=self._config)

    def cloudformation(self, region: Optional[str] = None) -> Any:
        return self._client("cloudformation", region)
