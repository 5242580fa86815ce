"""ConnectorSource: the configuration of a Bedrock knowledge-base data source outside S3, with its secret.

Property names and enums are those of the ``AWS::Bedrock::DataSource`` resource schema (cfn-lint):

* Confluence: ``ConfluenceConfiguration.SourceConfiguration`` = ``HostUrl`` (https), ``HostType`` (``SAAS``
  only), ``AuthType`` (``BASIC`` | ``OAUTH2_CLIENT_CREDENTIALS``), ``CredentialsSecretArn``;
* SharePoint: ``SharePointConfiguration.SourceConfiguration`` = ``Domain``, ``SiteUrls`` (https), ``HostType``
  (``ONLINE`` only), ``AuthType`` (``OAUTH2_CLIENT_CREDENTIALS`` | ``OAUTH2_SHAREPOINT_APP_ONLY_CLIENT_CREDENTIALS``),
  ``TenantId``, ``CredentialsSecretArn``;
* Salesforce: ``SalesforceConfiguration.SourceConfiguration`` = ``HostUrl``, ``AuthType``
  (``OAUTH2_CLIENT_CREDENTIALS`` only), ``CredentialsSecretArn``;
* web crawler: ``WebConfiguration.SourceConfiguration.UrlConfiguration.SeedUrls[].Url``; the schema's
  ``WebCrawlerConfiguration`` has no authentication property, so a crawler can only read public pages and
  takes no secret.

The secret of a SaaS connector is a :class:`~aisec_constructs.data.secrets.ConnectorSecret` (CMK, rotated).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from aws_cdk import aws_bedrock as bedrock

from .secrets import ConnectorSecret

DS = bedrock.CfnDataSource


@dataclass(frozen=True)
class ConnectorSource:
    """A data source configuration and the secret it logs in with (None for the web crawler)."""

    name: str
    configuration: DS.DataSourceConfigurationProperty
    secret: Optional[ConnectorSecret] = None

    @classmethod
    def confluence(cls, name: str, *, host_url: str, secret: ConnectorSecret,
                   auth_type: str = "OAUTH2_CLIENT_CREDENTIALS") -> "ConnectorSource":
        """Confluence Cloud (``HostType`` ``SAAS``); OAuth 2.0 client credentials unless ``auth_type="BASIC"``."""
        return cls(name, DS.DataSourceConfigurationProperty(
            type="CONFLUENCE", confluence_configuration=DS.ConfluenceDataSourceConfigurationProperty(
                source_configuration=DS.ConfluenceSourceConfigurationProperty(
                    host_url=host_url, host_type="SAAS", auth_type=auth_type,
                    credentials_secret_arn=secret.secret_arn))), secret)

    @classmethod
    def share_point(cls, name: str, *, domain: str, site_urls: Sequence[str], secret: ConnectorSecret,
                    tenant_id: Optional[str] = None,
                    auth_type: str = "OAUTH2_SHAREPOINT_APP_ONLY_CLIENT_CREDENTIALS") -> "ConnectorSource":
        """SharePoint Online sites (``HostType`` ``ONLINE``) of the Microsoft 365 tenant ``tenant_id``."""
        return cls(name, DS.DataSourceConfigurationProperty(
            type="SHAREPOINT", share_point_configuration=DS.SharePointDataSourceConfigurationProperty(
                source_configuration=DS.SharePointSourceConfigurationProperty(
                    domain=domain, site_urls=list(site_urls), host_type="ONLINE", auth_type=auth_type,
                    tenant_id=tenant_id, credentials_secret_arn=secret.secret_arn))), secret)

    @classmethod
    def salesforce(cls, name: str, *, host_url: str, secret: ConnectorSecret) -> "ConnectorSource":
        """A Salesforce instance (OAuth 2.0 client credentials, the only ``AuthType`` the schema allows)."""
        return cls(name, DS.DataSourceConfigurationProperty(
            type="SALESFORCE", salesforce_configuration=DS.SalesforceDataSourceConfigurationProperty(
                source_configuration=DS.SalesforceSourceConfigurationProperty(
                    host_url=host_url, auth_type="OAUTH2_CLIENT_CREDENTIALS",
                    credentials_secret_arn=secret.secret_arn))), secret)

    @classmethod
    def web(cls, name: str, *, seed_urls: Sequence[str], scope: str = "HOST_ONLY") -> "ConnectorSource":
        """A web crawler over public pages from ``seed_urls``, staying on their host by default."""
        return cls(name, DS.DataSourceConfigurationProperty(
            type="WEB", web_configuration=DS.WebDataSourceConfigurationProperty(
                source_configuration=DS.WebSourceConfigurationProperty(url_configuration=DS.UrlConfigurationProperty(
                    seed_urls=[DS.SeedUrlProperty(url=u) for u in seed_urls])),
                crawler_configuration=DS.WebCrawlerConfigurationProperty(scope=scope))))
