"""Generate a realistic, deterministic Istio mesh of N services for the loading benchmark.

Usage: ``python benchmarks/generate.py N OUTDIR [--seed S] [--per-namespace K]``

Per service: a Service, two Deployments (v1, v2), a VirtualService with several HTTP routes
(header match, prefix matches, a weighted canary split, retries and a timeout) and a
DestinationRule with subsets v1/v2 and a traffic policy (about 5 resources, ~6 KB of YAML).
Per namespace: a Namespace (istio-injection: enabled), a PeerAuthentication STRICT and two
AuthorizationPolicies. A few deliberate defects are planted (a route to an undefined subset, a
``wieght`` typo, a split that does not sum to 100). Files are multi-document YAML, several per
namespace (one ``namespace.yaml`` plus ``workloads-K.yaml`` / ``routing-K.yaml`` per 10 services).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SERVICES_PER_FILE = 10

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    istio-injection: enabled
    team: {team}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {ns}
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
  namespace: {ns}
spec:
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/{ns}/sa/frontend
        - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
    to:
    - operation:
        methods:
        - GET
        - POST
        paths:
        - /api/*
        - /healthz
  - from:
    - source:
        namespaces:
        - {ns}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-admin
  namespace: {ns}
spec:
  action: DENY
  rules:
  - to:
    - operation:
        paths:
        - /admin
        - /admin/*
    when:
    - key: request.headers[x-internal]
      notValues:
      - "true"
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {svc}
  namespace: {ns}
  labels:
    app: {svc}
    service: {svc}
spec:
  selector:
    app: {svc}
  ports:
  - name: http
    port: {port}
    targetPort: 8080
    protocol: TCP
  - name: grpc-metrics
    port: 9090
    targetPort: 9090
---
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}-{version}
  namespace: {ns}
  labels:
    app: {svc}
    version: {version}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {svc}
      version: {version}
  template:
    metadata:
      labels:
        app: {svc}
        version: {version}
      annotations:
        sidecar.istio.io/inject: "true"
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: {svc}
      containers:
      - name: {svc}
        image: registry.example.com/{team}/{svc}:1.{minor}.{patch}
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 8080
          name: http
        - containerPort: 9090
          name: metrics
        env:
        - name: SERVICE_NAME
          value: {svc}
        - name: LOG_LEVEL
          value: info
        - name: UPSTREAM_URL
          value: http://{upstream}.{ns}.svc.cluster.local:8080
        - name: OTEL_EXPORTER_OTLP_ENDPOINT
          value: http://otel-collector.observability.svc.cluster.local:4317
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        securityContext:
          runAsNonRoot: true
          runAsUser: 10001
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
        volumeMounts:
        - name: config
          mountPath: /etc/{svc}
          readOnly: true
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            cpu: 500m
            memory: 512Mi
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
          initialDelaySeconds: 5
          periodSeconds: 10
      volumes:
      - name: config
        configMap:
          name: {svc}-config
---
"""

VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {svc}
  namespace: {ns}
spec:
  hosts:
  - {svc}
  - {svc}.{ns}.svc.cluster.local
  http:
  - name: canary-header
    match:
    - headers:
        x-canary:
          exact: "true"
    route:
    - destination:
        host: {svc}
        subset: {header_subset}
  - name: api
    match:
    - uri:
        prefix: /api/v2/
    - uri:
        prefix: /api/{svc}/
      ignoreUriCase: true
    route:
    - destination:
        host: {svc}
        subset: v1
        port:
          number: {port}
      {weight_key}: {w1}
    - destination:
        host: {svc}
        subset: v2
        port:
          number: {port}
      weight: {w2}
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: 5xx,reset,connect-failure
    timeout: 10s
  - name: static
    match:
    - uri:
        regex: ^/static/[a-z0-9]+\\.(css|js)$
    rewrite:
      uri: /assets/
    route:
    - destination:
        host: {upstream}.{ns}.svc.cluster.local
        port:
          number: {upstream_port}
  - name: mirror-and-fault
    match:
    - uri:
        exact: /api/experimental
      headers:
        x-user-group:
          prefix: beta-
{fault}    mirror:
      host: {svc}
      subset: v1
    mirrorPercentage:
      value: 10.0
    route:
    - destination:
        host: {svc}
        subset: v2
  - name: default
    route:
    - destination:
        host: {svc}
        subset: v1
    timeout: 15s
---
"""

DESTINATION_RULE = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {svc}
  namespace: {ns}
spec:
  host: {svc}.{ns}.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: {max_conn}
      http:
        http1MaxPendingRequests: 100
        maxRequestsPerConnection: 10
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
    tls:
      mode: ISTIO_MUTUAL
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      loadBalancer:
        simple: LEAST_REQUEST
---
"""


PORTS = (80, 8080, 9080)
FAULT = """\
    fault:
      delay:
        percentage:
          value: 0.5
        fixedDelay: 2s
"""


def _service_params(
    rng: random.Random, ns: str, team: str, idx: int, peers: list[int]
) -> dict[str, object]:
    """Template parameters for service number ``idx`` (defects are planted by index).

    ``peers`` are the services of the same namespace: a route's upstream is one of them, as
    cross-namespace calls would use another namespace's FQDN.
    """
    upstream = rng.choice(peers)
    w1 = rng.choice((90, 80, 75, 50))
    w2 = 100 - w1
    if idx % 997 == 13:  # defect: the split does not sum to 100
        w2 += 5
    return {
        "svc": f"svc-{idx:05d}",
        "ns": ns,
        "team": team,
        "port": PORTS[idx % len(PORTS)],
        "replicas": rng.randint(1, 5),
        "minor": rng.randint(0, 30),
        "patch": rng.randint(0, 9),
        "w1": w1,
        "w2": w2,
        "weight_key": "wieght" if idx % 499 == 7 else "weight",  # defect: typo
        "header_subset": "v3" if idx % 211 == 5 else "v2",  # defect: undefined subset
        "upstream": f"svc-{upstream:05d}",
        "upstream_port": PORTS[upstream % len(PORTS)],
        "fault": FAULT if idx % 50 == 3 else "",  # a delay experiment in a few services
        "max_conn": rng.choice((100, 200, 500)),
    }


def _write_namespace(
    out: Path, rng: random.Random, ns_index: int, indices: list[int], n: int
) -> int:
    """Write the files of one namespace; returns the number of files written."""
    ns = f"team-{ns_index:03d}"
    team = f"team{ns_index % 17}"
    folder = out / ns
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "namespace.yaml").write_text(NAMESPACE.format(ns=ns, team=team), encoding="utf-8")
    files = 1
    for start in range(0, len(indices), SERVICES_PER_FILE):
        chunk = indices[start : start + SERVICES_PER_FILE]
        workloads: list[str] = []
        routing: list[str] = []
        for idx in chunk:
            p = _service_params(rng, ns, team, idx, indices)
            workloads.append(SERVICE.format(**p))
            workloads.extend(DEPLOYMENT.format(version=v, **p) for v in ("v1", "v2"))
            routing.append(VIRTUAL_SERVICE.format(**p))
            routing.append(DESTINATION_RULE.format(**p))
        part = start // SERVICES_PER_FILE
        (folder / f"workloads-{part}.yaml").write_text("".join(workloads), encoding="utf-8")
        (folder / f"routing-{part}.yaml").write_text("".join(routing), encoding="utf-8")
        files += 2
    return files


def generate(n: int, out: Path, *, seed: int = 42, per_namespace: int = 50) -> int:
    """Write a mesh of ``n`` services under ``out``; returns the number of files written."""
    rng = random.Random(seed)
    files = 0
    for ns_index, start in enumerate(range(0, n, per_namespace)):
        indices = list(range(start, min(n, start + per_namespace)))
        files += _write_namespace(out, rng, ns_index, indices, n)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of services")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--per-namespace", type=int, default=50)
    args = parser.parse_args(argv)
    files = generate(args.n, args.outdir, seed=args.seed, per_namespace=args.per_namespace)
    sys.stderr.write(f"wrote {files} files for {args.n} services to {args.outdir}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
