# METADATA
# custom:
#   code: MESH999
package org.reserved

import rego.v1

deny contains "x" if input.kind == "Service"
