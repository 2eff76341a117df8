"""Validation of a message's certificate chain: the part of verification that can be cached.

:func:`validate_chain` checks everything about a chain that does not depend on time or on the
CRLs: each certificate is parseable, names and signatures link it to a trusted CA, issuers are
CAs (and respect path lengths), the leaf may sign (digitalSignature, not a CA), and the leaf
names an organisation. Its result, a :class:`~gateway.signing.validated.ValidatedChain`, keeps
what the per-message checks need: the leaf's public key, the validity windows and the
revocation keys. Time and revocation are checked per message by the verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.signing.certificates import (
    common_name,
    organisation_id,
    parse_certificate,
    serial_hex,
)
from gateway.signing.exceptions import (
    BadCertificateError,
    KeyUsageError,
    OrganisationMismatchError,
    UntrustedCertificateError,
)
from gateway.signing.trust import TrustStore, revocation_key
from gateway.signing.validated import ValidatedChain, ValidityWindow, VerifiedSigner

__all__ = ["MAX_CHAIN_LENGTH", "validate_chain"]

MAX_CHAIN_LENGTH = 5
"""Most certificates a message may carry (leaf, up to three intermediates, the root)."""

_Ext = TypeVar("_Ext", bound=x509.ExtensionType)

_CHAIN_HINT = "Send the signing certificate first, then each issuing CA up to the root CA."


def validate_chain(chain_der: Sequence[bytes], trust: TrustStore) -> ValidatedChain:
    """Check a chain (leaf first, root optional) against ``trust``, without time or CRLs.

    Raises BadCertificateError (unparseable or malformed chain), UntrustedCertificateError
    (does not link to an anchor), KeyUsageError (the leaf may not sign) or
    OrganisationMismatchError (the leaf names no organisation); each rejects the message.
    """
    if isinstance(chain_der, bytes | str) or not chain_der:
        raise BadCertificateError("The message carries no certificate chain.", hint=_CHAIN_HINT)
    if len(chain_der) > MAX_CHAIN_LENGTH:
        raise BadCertificateError(
            f"The certificate chain has {len(chain_der)} certificates; at most "
            f"{MAX_CHAIN_LENGTH} are accepted.",
            hint=_CHAIN_HINT,
        )
    certs = [parse_certificate(der, i) for i, der in enumerate(chain_der)]
    try:
        return _validate(certs, bytes(chain_der[0]), trust)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # cryptography decodes names, extensions and keys lazily; their errors surface here.
        raise BadCertificateError(
            f"A certificate of the chain cannot be decoded ({exc}).", hint=_CHAIN_HINT
        ) from exc


def _validate(certs: list[x509.Certificate], leaf_der: bytes, trust: TrustStore) -> ValidatedChain:
    leaf = certs[0]
    _check_leaf(leaf)
    org = organisation_id(leaf)
    if org is None:
        raise OrganisationMismatchError(
            "The signing certificate names no organisation: its subject has neither "
            "organizationIdentifier (2.5.4.97) nor the STIR attribute (1.2.860.3.16.1.1).",
            hint="Sign with a certificate issued to your body with its 9-digit STIR.",
        )
    path = _build_path(certs, trust)
    windows = tuple(
        ValidityWindow(_label(i, len(path)), c.not_valid_before_utc, c.not_valid_after_utc)
        for i, c in enumerate(path)
    )
    labels = tuple(
        (revocation_key(c.issuer, c.serial_number), _label(i, len(path)))
        for i, c in enumerate(path[:-1])
    )
    signer = VerifiedSigner(
        org_code=org,
        common_name=common_name(leaf),
        serial=serial_hex(leaf.serial_number),
        issuer=leaf.issuer.rfc4514_string(),
        fingerprint_sha256=hashlib.sha256(leaf_der).hexdigest(),
    )
    return ValidatedChain(
        signer=signer,
        public_key=leaf.public_key(),
        not_before=max(w.not_before for w in windows),
        not_after=min(w.not_after for w in windows),
        windows=windows,
        revocation_keys=frozenset(key for key, _ in labels),
        revocation_labels=labels,
    )


def _label(index: int, length: int) -> str:
    if index == 0:
        return "signing certificate"
    if index == length - 1:
        return "trusted CA certificate"
    return f"intermediate CA certificate {index}"


def _check_leaf(leaf: x509.Certificate) -> None:
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise KeyUsageError(
            "The signing certificate is a CA certificate; CAs may not sign messages.",
            hint="Sign with an end-entity certificate (basicConstraints CA=false).",
        )
    usage = _extension(leaf, x509.KeyUsage)
    if usage is None or not usage.digital_signature:
        raise KeyUsageError(
            "The signing certificate's key usage does not include digitalSignature.",
            hint="Sign with a certificate issued for digital signatures.",
        )


def _build_path(certs: list[x509.Certificate], trust: TrustStore) -> list[x509.Certificate]:
    """Link ``certs`` issuer by issuer and end at a trust anchor; return the whole path."""
    path: list[x509.Certificate] = []
    for index, cert in enumerate(certs):
        path.append(cert)
        if index > 0 and trust.contains(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()):
            if index != len(certs) - 1:
                raise BadCertificateError(
                    "The certificate chain continues after the trusted root CA.",
                    hint=_CHAIN_HINT,
                )
            return path
        if index + 1 < len(certs):
            _check_issuer(cert, certs[index + 1], index)
    last = path[-1]
    for anchor in trust.issuers_named(last.issuer):
        try:
            _check_issuer(last, anchor, len(path) - 1)
        except UntrustedCertificateError:
            continue
        path.append(anchor)
        return path
    raise UntrustedCertificateError(
        f"The certificate chain does not lead to a trusted CA: no trusted CA named "
        f"{last.issuer.rfc4514_string()!r} signed its last certificate.",
        hint="Use a certificate issued by the exchange's CA and send its full chain.",
    )


def _check_issuer(cert: x509.Certificate, issuer: x509.Certificate, index: int) -> None:
    """Check that ``issuer`` may have issued ``cert``, the certificate at ``index`` of the path.

    ``index`` is also the number of intermediate CAs between the leaf and ``issuer``, which
    basicConstraints pathLenConstraint limits.
    """
    where = f"certificate {index} of the chain"
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise UntrustedCertificateError(
            f"The issuer of {where} is not a CA (basicConstraints CA=true is missing).",
            hint=_CHAIN_HINT,
        )
    below = index
    if constraints.path_length is not None and below > constraints.path_length:
        raise UntrustedCertificateError(
            f"The issuer of {where} allows {constraints.path_length} intermediate CAs below "
            f"it, but the chain has {below}.",
            hint="Ask the CA for a certificate issued within its allowed path length.",
        )
    usage = _extension(issuer, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        raise UntrustedCertificateError(
            f"The issuer of {where} may not sign certificates (keyCertSign is missing).",
            hint=_CHAIN_HINT,
        )
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError) as exc:
        raise UntrustedCertificateError(
            f"{where.capitalize()} was not issued by the next certificate: the names do not "
            "link or the issuer's signature does not verify.",
            hint=_CHAIN_HINT,
        ) from exc


def _extension(cert: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:  # duplicate or malformed extensions
        raise BadCertificateError(
            f"A certificate of the chain has malformed extensions ({exc}).", hint=_CHAIN_HINT
        ) from exc
