package org.labels_test

import rego.v1

import data.org.labels

test_service_without_team if {
	count(labels.deny) == 1 with input as {"kind": "Service", "metadata": {"name": "a"}}
}

test_service_with_team if {
	count(labels.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "a", "labels": {"team": "x"}}}
}
