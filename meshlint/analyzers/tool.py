"""MESH001-MESH008: metadata of the codes the pipeline itself reports (no ``check``)."""

from __future__ import annotations

from meshlint.findings import Severity
from meshlint.model.base import Kind
from meshlint.rule import Rule

_SINCE = "0.1.0"
_NONE: frozenset[Kind] = frozenset()
_REVIEWS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
"""

YAML_SYNTAX = Rule(
    code="MESH001",
    name="yaml-syntax",
    summary="The document is not valid YAML",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "A file that does not parse is rejected by kubectl and by Istio, so none of the "
        "resources in it is applied. meshlint reports the position of the first error and "
        "keeps checking the other files."
    ),
    remediation="Fix the YAML at the reported position (indentation, an unclosed bracket).",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop
spec:
  hosts: [reviews]
""",
    example_good=_REVIEWS,
    since=_SINCE,
    references=("https://yaml.org/spec/1.2.2/",),
)

YAML_DUPLICATE_KEY = Rule(
    code="MESH002",
    name="yaml-duplicate-key",
    summary="A mapping repeats a key",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "Kubernetes keeps the last value of a repeated key without a warning, so the first "
        "one is silently lost. The author usually meant both, or meant to edit the first."
    ),
    remediation="Remove or merge the repeated key.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
  hosts: [ratings]
""",
    example_good=_REVIEWS,
    since=_SINCE,
)

SCHEMA_UNKNOWN_FIELD = Rule(
    code="MESH003",
    name="schema-unknown-field",
    summary="A field that the API does not have",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "Istio drops fields it does not know (or the API server prunes them), so a typo such "
        "as `wieght` means the setting never takes effect while the YAML looks right."
    ),
    remediation="Fix the spelling of the field (the message suggests one) or remove it.",
    example_bad=_REVIEWS.replace("weight: 10", "wieght: 10"),
    example_good=_REVIEWS,
    since=_SINCE,
    istio=("IST0106",),
    references=("https://istio.io/latest/docs/reference/config/analysis/ist0106/",),
)

SCHEMA_INVALID_VALUE = Rule(
    code="MESH004",
    name="schema-invalid-value",
    summary="A value that the API rejects",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "Istio's admission webhook rejects the whole resource when a value has the wrong type, "
        "is out of range or breaks a rule of the API (a negative weight, a duration under 1ms, "
        "a missing required field), so none of it is applied."
    ),
    remediation="Change the value to one the API accepts, as the message describes.",
    example_bad=_REVIEWS.replace("weight: 10", "weight: -10"),
    example_good=_REVIEWS,
    since=_SINCE,
    istio=("IST0106",),
    references=("https://istio.io/latest/docs/reference/config/networking/virtual-service/",),
)

REGEX_INVALID = Rule(
    code="MESH005",
    name="regex-invalid",
    summary="A regular expression that Istio rejects",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "Istio and Envoy use RE2, which has no backreferences or lookaround and limits the "
        "program size; an expression that is not valid RE2, or is longer than 1024 "
        "characters, makes Istio reject the resource."
    ),
    remediation="Rewrite the expression in RE2 syntax and keep it under 1024 characters.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {regex: "/api/(v1|v2"}
    route:
    - destination: {host: reviews}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {regex: "/api/(v1|v2)/.*"}
    route:
    - destination: {host: reviews}
""",
    since=_SINCE,
    istio=("IST0106",),
    references=("https://github.com/google/re2/wiki/Syntax",),
)

DEPRECATED = Rule(
    code="MESH006",
    name="deprecated",
    summary="A deprecated field, value or API version",
    message="{problem}",
    severity=Severity.WARNING,
    kinds=_NONE,
    rationale=(
        "Deprecated fields keep working only until Istio removes them, and some are already "
        "ignored at runtime (for example `outlierDetection.consecutiveErrors`), so the "
        "configuration may not do what it says."
    ),
    remediation="Use the replacement the message names (for example `mirrorPercentage`).",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    mirror: {host: reviews-shadow}
    mirrorPercent: 50
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    mirror: {host: reviews-shadow}
    mirrorPercentage: {value: 50}
""",
    since=_SINCE,
    istio=("IST0002",),
    references=("https://istio.io/latest/docs/reference/config/analysis/ist0002/",),
)

POLICY_ERROR = Rule(
    code="MESH007",
    name="policy-error",
    summary="A Rego policy failed to load, crashed or timed out",
    message="policy {policy} failed: {problem}",
    severity=Severity.ERROR,
    kinds=_NONE,
    rationale=(
        "A policy that does not run checks nothing, so a clean result would be misleading. "
        "meshlint reports the failure and still runs every other rule."
    ),
    remediation="Fix the policy (run `meshlint policy test` on its folder) or remove it.",
    example_bad="""\
# with a policy folder holding a .rego file that does not compile
apiVersion: v1
kind: Namespace
metadata: {name: shop}
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
""",
    since=_SINCE,
)

SUPPRESSION_UNUSED = Rule(
    code="MESH008",
    name="suppression-unused",
    summary="A suppression that matched nothing, names an unknown code, or has expired",
    message="suppression of {codes} {problem}",
    severity=Severity.WARNING,
    kinds=_NONE,
    rationale=(
        "A suppression that no longer matches hides nothing today but will hide the next "
        "real problem at that place; one naming an unknown code is usually a typo."
    ),
    remediation=(
        "Remove the suppression, fix the code it names, or extend the expiry date with a "
        "reason; refresh a baseline with `--write-baseline`."
    ),
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {meshlint.dev/ignore: vs-subset-undefind}
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {meshlint.dev/ignore: vs-subset-undefined}
""",
    since=_SINCE,
)

TOOL_RULES: tuple[Rule, ...] = (
    YAML_SYNTAX,
    YAML_DUPLICATE_KEY,
    SCHEMA_UNKNOWN_FIELD,
    SCHEMA_INVALID_VALUE,
    REGEX_INVALID,
    DEPRECATED,
    POLICY_ERROR,
    SUPPRESSION_UNUSED,
)
