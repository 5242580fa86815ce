"""The installed version of aisec, read where the pack, the CLI and the reports all can."""
from importlib import metadata

DISTRIBUTION = "aisec-cdk"


def version() -> str:
    """The version of the installed ``aisec-cdk`` distribution, or ``0+unknown`` when it runs from a
    checkout that is not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"
