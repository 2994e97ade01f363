"""The JSON Schema of rule files, generated from the pydantic models (`rvc rules schema`)."""

from __future__ import annotations

import json

from rvc.rulepack.schema import RuleFile


def schema_text() -> str:
    """The schema as the text committed in rules/schema.json."""
    schema = RuleFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "rvc rule file"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
