"""Sub-models and field types shared by several kinds (selectors, ports, schema-only limits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from meshlint.model.base import MeshModel


@dataclass(frozen=True, slots=True)
class SchemaOnly:
    """JSON-Schema keywords the generated schema enforces but building does not.

    Range and format problems are reported by schema validation with exact positions; the
    typed model accepts the value so that one bad number does not lose the whole resource.
    """

    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        for key in ("minimum", "maximum", "pattern"):
            value = getattr(self, key)
            if value is not None:
                schema[key] = value
        return schema


def deprecated(message: str) -> dict[str, Any]:
    """``json_schema_extra`` marking a field deprecated, with what to use instead."""
    return {"deprecated": True, "x-deprecated-message": message}


def deprecated_values(**values: str) -> dict[str, Any]:
    """``json_schema_extra`` naming enum values that are deprecated (value -> message)."""
    return {"x-deprecated-values": dict(sorted(values.items()))}


def schema_required(*fields: str) -> ConfigDict:
    """``model_config`` listing the JSON fields the API requires (enforced by the schema only)."""
    return ConfigDict(json_schema_extra={"required": list(fields)})


UINT32_MAX = 4_294_967_295
INT32_MIN = -2_147_483_648
INT32_MAX = 2_147_483_647

PortNumber = Annotated[int, SchemaOnly(minimum=1, maximum=65535)]
# proto3 uint32 ports where 0 means "not set" (selectors, matches, UDS listeners).
PortOrZero = Annotated[int, SchemaOnly(minimum=0, maximum=65535)]
UInt32 = Annotated[int, SchemaOnly(minimum=0, maximum=UINT32_MAX)]
UInt64 = Annotated[int, SchemaOnly(minimum=0)]
Int32 = Annotated[int, SchemaOnly(minimum=INT32_MIN, maximum=INT32_MAX)]
NonNegativeInt32 = Annotated[int, SchemaOnly(minimum=0, maximum=INT32_MAX)]
Percentage = Annotated[float, SchemaOnly(minimum=0, maximum=100)]
# A google.protobuf.Duration in its JSON form ("1.5s", "100ms"); checked by the duration rule.
Duration = str
LabelValue = Annotated[str, Field(coerce_numbers_to_str=True)]
# String maps (labels, header values): a YAML number (`version: 1`) is kept as its string form
# instead of failing the whole resource; the schema still reports it.
StringMap = dict[str, LabelValue]
Labels = StringMap
Struct = dict[str, Any]


class PortSelector(MeshModel):
    """A port on a destination service, by number."""

    number: PortOrZero | None = None


class Percent(MeshModel):
    """A percentage in [0.0, 100.0]."""

    value: Percentage = 0.0


class WorkloadSelector(MeshModel):
    """Selects workloads by labels (istio.type.v1beta1.WorkloadSelector)."""

    match_labels: Labels = Field(default_factory=dict)


class PolicyTargetReference(MeshModel):
    """A reference to a Gateway API resource or Service a policy attaches to."""

    model_config = schema_required("kind", "name")

    group: str = ""
    kind: str = ""
    name: str = ""
    namespace: str | None = None
