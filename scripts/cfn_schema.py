"""Print the CloudFormation resource schema that cfn-lint ships, for verifying property names.

Usage: python scripts/cfn_schema.py AWS::Bedrock::Guardrail [DefinitionName ...]
Without definition names it prints the top-level properties and the names of the definitions;
with names it prints those definitions. Reads only the schemas installed with cfn-lint.
"""
import json
import sys
from pathlib import Path

import cfnlint

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"


def load(resource_type: str) -> dict:
    index = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    if resource_type not in index:
        sys.exit(f"{resource_type}: not in the cfn-lint schemas (us-east-1)")
    return json.loads((SCHEMAS / "resources" / f"{index[resource_type]}.json").read_text())


def main(argv: list) -> None:
    if not argv:
        sys.exit(__doc__)
    schema = load(argv[0])
    if len(argv) == 1:
        print(json.dumps({"properties": schema.get("properties"), "required": schema.get("required"),
                          "createOnlyProperties": schema.get("createOnlyProperties"),
                          "readOnlyProperties": schema.get("readOnlyProperties"),
                          "definitions": sorted(schema.get("definitions", {}))}, indent=1))
    for name in argv[1:]:
        print(name, json.dumps(schema.get("definitions", {}).get(name), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
