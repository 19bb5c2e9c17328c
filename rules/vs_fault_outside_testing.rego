# METADATA
# title: No fault injection outside test namespaces
# description: >-
#   Fault injection aborts or delays real requests. It belongs in namespaces set aside for
#   testing, marked with the label meshlint.dev/testing "true"; anywhere else it is usually a
#   chaos experiment left behind and fails production traffic. On by default, since injected
#   faults in a normal namespace are a defect. The namespace must be in the input: when it is
#   not, its labels are unknown and the rule stays silent.
# custom:
#   code: MESH607
#   name: vs-fault-outside-testing
#   severity: warning
#   kinds: [VirtualService, Namespace]
#   remediation: Remove the fault block, or label the namespace meshlint.dev/testing "true".
package meshlint.rules.vs_fault_outside_testing

import rego.v1

default default_namespace := "default"

default_namespace := data.meshlint.facts.default_namespace

namespace_of(doc) := doc.metadata.namespace

namespace_of(doc) := default_namespace if not doc.metadata.namespace

# Namespaces are cluster-scoped: indexed under the empty namespace.
namespace_doc(ns) := data.meshlint.resources.Namespace[data.meshlint.index.Namespace[""][ns]]

testing(ns) if namespace_doc(ns).metadata.labels["meshlint.dev/testing"] == "true"

known(ns) if namespace_doc(ns)

deny contains {"msg": msg, "pointer": sprintf("/spec/http/%d/fault", [i])} if {
	input.kind == "VirtualService"
	ns := namespace_of(input)
	known(ns)
	not testing(ns)
	some i, route in input.spec.http
	route.fault
	msg := sprintf("HTTP route %d injects faults in namespace %s, which is not labelled for testing", [i, ns])
}
