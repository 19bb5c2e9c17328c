"""Secret facts computed at build time, and MESH404's certificate checks with a fixed clock."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from meshlint.config import Config
from meshlint.errors import ConfigError
from meshlint.lint import lint_text
from meshlint.model.kubernetes import CertificateFacts, Secret, Validity, certificate_facts

JAN_2024 = datetime(2024, 1, 1, tzinfo=UTC)
JAN_2025 = datetime(2025, 1, 1, tzinfo=UTC)
JAN_2026 = datetime(2026, 1, 1, tzinfo=UTC)
ISO_2024, ISO_2025, ISO_2026 = (
    "2024-01-01T00:00:00+00:00",
    "2025-01-01T00:00:00+00:00",
    ("2026-01-01T00:00:00+00:00"),
)


def make_pem(not_before: datetime, not_after: datetime) -> str:
    """A self-signed certificate; its private key only lives in this function."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.example.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def pem_2025() -> str:
    return make_pem(JAN_2024, JAN_2025)


@pytest.fixture(scope="module")
def pem_2026() -> str:
    return make_pem(JAN_2024, JAN_2026)


def secret(**top: Any) -> Secret:
    data = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"}}
    return Secret.model_validate({**data, **top}, by_alias=True, by_name=False)


# ---------------------------------------------------------------- facts


def test_base64_data_certificate_validity(pem_2025: str) -> None:
    built = secret(type="kubernetes.io/tls", data={"tls.crt": b64(pem_2025), "tls.key": "a2V5"})
    assert built.data_keys == ("tls.crt", "tls.key")
    assert built.empty_keys == ()
    assert built.certificates == {
        "tls.crt": CertificateFacts(validity=(Validity(not_before=ISO_2024, not_after=ISO_2025),))
    }


def test_string_data_is_plain_text_and_overrides_data(pem_2025: str) -> None:
    built = secret(data={"tls.crt": "Z2FyYmFnZQ==", "ca.crt": ""}, stringData={"tls.crt": pem_2025})
    assert built.data_keys == ("tls.crt", "ca.crt")
    assert built.empty_keys == ("ca.crt",)
    assert built.certificates["tls.crt"].error is None
    assert built.certificates["tls.crt"].earliest_expiry == ISO_2025
    assert built.certificates["ca.crt"] == CertificateFacts(error="empty")


def test_chain_expiry_earliest_and_latest(pem_2025: str, pem_2026: str) -> None:
    facts = certificate_facts(pem_2026 + pem_2025, encoded=False)
    assert [v.not_after for v in facts.validity] == [ISO_2026, ISO_2025]
    assert (facts.earliest_expiry, facts.latest_expiry) == (ISO_2025, ISO_2026)
    assert CertificateFacts(error="not-pem").earliest_expiry is None


@pytest.mark.parametrize(
    ("value", "encoded", "error"),
    [
        ("aHVzaCBodXNoIGh1c2gK", True, "not-pem"),  # "hush hush hush" (Istio's test data)
        ("not base64!", True, "not-base64"),
        (
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            False,
            "not-x509",
        ),
        ("", True, "empty"),
        (None, False, "empty"),
        (42, True, "not-text"),
    ],
)
def test_unusable_values(value: object, encoded: bool, error: str) -> None:
    assert certificate_facts(value, encoded) == CertificateFacts(error=error)


def test_base64_across_lines_is_accepted(pem_2025: str) -> None:
    folded = " ".join(b64(pem_2025)[i : i + 60] for i in range(0, len(b64(pem_2025)), 60))
    assert certificate_facts(folded, encoded=True).latest_expiry == ISO_2025


def test_private_key_in_certificate_key_is_not_a_certificate() -> None:
    assert certificate_facts(key_pem(), encoded=False) == CertificateFacts(error="not-pem")


def test_no_secret_value_is_kept(pem_2025: str) -> None:
    private = key_pem()
    built = secret(data={"tls.crt": b64(pem_2025), "tls.key": b64(private)}, stringData={"k": "v"})
    dumped = repr(built) + repr(built.model_dump())
    for value in (b64(pem_2025), b64(private), "BEGIN", "'v'"):
        assert value not in dumped
    assert "tls.key" not in built.certificates
    assert built.data_keys == ("tls.crt", "tls.key", "k")


def test_facts_are_never_read_from_the_document() -> None:
    built = secret(dataKeys=["forged"], certificates={"cert": {}}, emptyKeys=["x"], data="oops")
    assert (built.data_keys, built.empty_keys, built.certificates) == ((), (), {})


def test_non_string_keys_become_strings() -> None:
    built = secret(data={1: "", "tls.key": None})
    assert built.data_keys == ("1", "tls.key")
    assert built.has_value("tls.key") is False and built.has_value("missing") is False


# ---------------------------------------------------------------- MESH404 with a fixed clock

PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: auto}]}
---
"""


def gateway_yaml(mode: str = "SIMPLE") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: public, namespace: shop}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: 443, name: https, protocol: HTTPS}}
    hosts: [shop.example.com]
    tls: {{mode: {mode}, credentialName: cert}}
"""


def secret_yaml(name: str, **data: str) -> str:
    items = ", ".join(f"{k}: {v}" for k, v in data.items())
    return f"""\
apiVersion: v1
kind: Secret
metadata: {{name: {name}, namespace: istio-system}}
data: {{{items}}}
"""


def messages(text: str, now: str | None) -> list[str]:
    options = {} if now is None else {"MESH404": {"now": now}}
    config = Config.parse({"select": ["MESH404"], "options": options})
    return [f.message for f in lint_text(text, config).findings]


def test_expiry_judged_at_the_configured_instant(pem_2025: str) -> None:
    text = PODS + secret_yaml("cert", **{"tls.crt": b64(pem_2025), "tls.key": "a2V5"})
    text += gateway_yaml()
    assert messages(text, "2024-06-01T00:00:00Z") == []
    assert messages(text, "2025-06-01T00:00:00Z") == [
        "Gateway shop/public: TLS credential Secret cert in istio-system has a tls.crt that "
        f"expired on {ISO_2025}"
    ]
    # a naive instant is UTC: one second before and at the expiry
    assert messages(text, "2024-12-31T23:59:59") == []
    assert len(messages(text, "2025-01-01T00:00:00")) == 1
    # without the option, the clock of the run: this certificate expired in 2025
    assert len(messages(text, None)) == 1


def test_ca_bundle_expires_with_its_last_certificate(pem_2025: str, pem_2026: str) -> None:
    bundle = b64(pem_2025 + pem_2026)
    server = b64(make_pem(JAN_2024, datetime(2027, 1, 1, tzinfo=UTC)))
    text = PODS + secret_yaml("cert", **{"tls.crt": server, "tls.key": "a2V5"})
    text += "---\n" + secret_yaml("cert-cacert", cacert=bundle) + gateway_yaml("MUTUAL")
    assert messages(text, "2025-06-01T00:00:00Z") == []
    assert messages(text, "2026-06-01T00:00:00Z") == [
        "Gateway shop/public: TLS credential Secret cert in istio-system has a CA Secret "
        f"cert-cacert with a cacert that expired on {ISO_2026}"
    ]


def test_generic_pair_wins_and_is_checked(pem_2026: str) -> None:
    text = PODS + secret_yaml(
        "cert", cert="Z2FyYmFnZQ==", key="a2V5", **{"tls.crt": b64(pem_2026), "tls.key": "a2V5"}
    )
    assert messages(text + gateway_yaml(), "2025-06-01T00:00:00Z") == [
        "Gateway shop/public: TLS credential Secret cert in istio-system has a cert that is not "
        "a valid PEM certificate (no CERTIFICATE block)"
    ]


def test_now_option_is_validated() -> None:
    with pytest.raises(ConfigError, match="MESH404"):
        Config.parse({"options": {"MESH404": {"now": "yesterday"}}})
    with pytest.raises(ConfigError, match="unknown option"):
        Config.parse({"options": {"MESH404": {"today": "2025-01-01"}}})
