package uz.gov.exchange.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Checks a signer's chain and signature as the gateway does (docs/wire-format.md §3 C1–C12)
 * with the JDK's PKIX validator and {@link Signature}; maps every failure to its reason code.
 */
public final class CertificateVerifier {
    static final String OID_ORGANIZATION_IDENTIFIER = "2.5.4.97";
    static final String OID_STIR = "1.2.860.3.16.1.1";

    private final List<X509Certificate> roots;
    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final List<X509CRL> crls;

    public CertificateVerifier(List<X509Certificate> roots, List<X509CRL> crls) {
        this.roots = List.copyOf(roots);
        this.crls = List.copyOf(crls);
        for (X509Certificate root : roots) {
            anchors.add(new TrustAnchor(root, null));
        }
    }

    /** A verifier of the PEM trust store and CRL files. */
    public static CertificateVerifier fromPem(List<Path> rootFiles, List<Path> crlFiles)
            throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> roots = new ArrayList<>();
        for (Path p : rootFiles) {
            try (InputStream in = Files.newInputStream(p)) {
                for (var c : factory.generateCertificates(in)) {
                    roots.add((X509Certificate) c);
                }
            }
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Path p : crlFiles) {
            try (InputStream in = Files.newInputStream(p)) {
                for (var c : factory.generateCRLs(in)) {
                    crls.add((X509CRL) c);
                }
            }
        }
        return new CertificateVerifier(roots, crls);
    }

    /** Who signed: the organisation in the leaf, and the leaf itself. */
    public record Signer(String orgCode, X509Certificate leaf) {}

    /**
     * Verify that {@code expectedOrg} signed {@code data} at {@code signedAt}; the chain is
     * leaf first. Throws {@link WireException} with the reason of the first failed check.
     */
    public Signer verify(
            String algorithm, List<byte[]> chainDer, byte[] data, byte[] signature,
            String expectedOrg, Instant signedAt, Instant now) throws WireException {
        if (!Algorithms.known(algorithm)) {
            throw new WireException("unsupported_algorithm", "unknown algorithm " + algorithm);
        }
        List<X509Certificate> chain = parseChain(chainDer);
        X509Certificate leaf = chain.get(0);
        checkLeafUsage(leaf);
        String org = organisation(leaf);
        List<X509Certificate> path = validatePath(chain, signedAt);
        if (!org.equals(expectedOrg)) {
            throw new WireException("organisation_mismatch",
                    "the signing certificate belongs to " + org + ", not " + expectedOrg);
        }
        if (!Algorithms.fits(algorithm, leaf.getPublicKey())) {
            throw new WireException("unsupported_algorithm",
                    "the leaf's key cannot be used with " + algorithm);
        }
        checkValidity(path, now);
        if (!Algorithms.verify(algorithm, leaf.getPublicKey(), data, signature)) {
            throw new WireException("bad_signature",
                    "the signature does not match the signed input and the leaf's key");
        }
        return new Signer(org, leaf);
    }

    static List<X509Certificate> parseChain(List<byte[]> chainDer) throws WireException {
        if (chainDer.isEmpty() || chainDer.size() > 5) {
            throw new WireException("bad_certificate", "the chain must hold 1 to 5 certificates");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (byte[] der : chainDer) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return chain;
        } catch (CertificateException e) {
            throw new WireException("bad_certificate", "a chain entry is not a DER certificate", e);
        }
    }

    static void checkLeafUsage(X509Certificate leaf) throws WireException {
        boolean[] usage = leaf.getKeyUsage();
        if (leaf.getBasicConstraints() != -1 || usage == null || !usage[0]) {
            throw new WireException("key_usage", "the leaf must be a non-CA digitalSignature certificate");
        }
    }

    /** The organisation of a certificate's subject: organizationIdentifier, else the STIR. */
    public static String organisation(X509Certificate cert) throws WireException {
        String rfc2253 = cert.getSubjectX500Principal().getName("RFC2253");
        for (String oid : new String[] {OID_ORGANIZATION_IDENTIFIER, OID_STIR}) {
            Set<String> values = new HashSet<>();
            try {
                for (Rdn rdn : new LdapName(rfc2253).getRdns()) {
                    String type = rdn.getType();
                    if (type.equalsIgnoreCase(oid) || type.equalsIgnoreCase("OID." + oid)) {
                        values.add(derString(rdn.getValue()));
                    }
                }
            } catch (InvalidNameException e) {
                throw new WireException("bad_certificate", "the subject name cannot be read", e);
            }
            if (values.size() == 1) {
                return values.iterator().next();
            }
            if (values.size() > 1) {
                break;
            }
        }
        throw new WireException("organisation_mismatch", "the certificate names no organisation");
    }

    /** An RDN value that Java printed as {@code #<DER hex>}: a short string type's content. */
    static String derString(Object value) throws WireException {
        if (value instanceof String s) {
            return s;
        }
        byte[] der = (byte[]) value;
        if (der.length < 2 || (der[1] & 0x80) != 0 || der[1] != der.length - 2) {
            throw new WireException("bad_certificate", "an attribute value is not a short string");
        }
        return new String(der, 2, der.length - 2, StandardCharsets.UTF_8);
    }

    List<X509Certificate> validatePath(List<X509Certificate> chain, Instant at) throws WireException {
        List<X509Certificate> certs = new ArrayList<>(chain);
        X509Certificate anchor = null;
        X509Certificate last = certs.get(certs.size() - 1);
        for (X509Certificate root : roots) {
            if (Arrays.equals(encoded(root), encoded(last))) {
                anchor = root;
                certs.remove(certs.size() - 1);
                break;
            }
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            PKIXParameters params = new PKIXParameters(anchors);
            params.setDate(Date.from(at));
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
            revocation.setOptions(EnumSet.of(
                    PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
            params.addCertPathChecker(revocation);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            if (certs.isEmpty()) {  // the chain is just a trust anchor: not a signing certificate
                throw new WireException("key_usage", "a trust anchor cannot sign messages");
            }
            CertPath path = factory.generateCertPath(certs);
            var result = (java.security.cert.PKIXCertPathValidatorResult) validator.validate(path, params);
            List<X509Certificate> full = new ArrayList<>(certs);
            full.add(anchor != null ? anchor : result.getTrustAnchor().getTrustedCert());
            return full;
        } catch (CertPathValidatorException e) {
            var reason = e.getReason();
            if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
                throw new WireException("certificate_expired", "a certificate had expired at " + at, e);
            }
            if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                throw new WireException("certificate_not_yet_valid", "a certificate was not yet valid at " + at, e);
            }
            if (reason == CertPathValidatorException.BasicReason.REVOKED) {
                throw new WireException("certificate_revoked", "a certificate is revoked", e);
            }
            if (reason == PKIXReason.INVALID_KEY_USAGE) {
                throw new WireException("untrusted_certificate", "an issuer may not sign certificates", e);
            }
            throw new WireException("untrusted_certificate", "the chain does not lead to a trusted CA", e);
        } catch (GeneralSecurityException e) {
            throw new WireException("bad_certificate", "the chain cannot be validated", e);
        }
    }

    static void checkValidity(List<X509Certificate> path, Instant now) throws WireException {
        Date date = Date.from(now);
        for (X509Certificate cert : path) {
            if (date.after(cert.getNotAfter())) {
                throw new WireException("certificate_expired", "a certificate has expired");
            }
            if (date.before(cert.getNotBefore())) {
                throw new WireException("certificate_not_yet_valid", "a certificate is not yet valid");
            }
        }
    }

    static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The three signature algorithms of wire-format §1, with the JDK's providers. */
    public static final class Algorithms {
        private Algorithms() {}

        public static boolean known(String name) {
            return switch (name) {
                case "ecdsa-p256-sha256", "ed25519", "rsa-pss-sha256" -> true;
                default -> false;
            };
        }

        static boolean fits(String name, PublicKey key) {
            return switch (name) {
                case "ecdsa-p256-sha256" -> key instanceof ECPublicKey ec
                        && ec.getParams().getCurve().getField().getFieldSize() == 256;
                case "ed25519" -> key.getAlgorithm().equals("EdDSA") || key.getAlgorithm().equals("Ed25519");
                case "rsa-pss-sha256" -> key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048;
                default -> false;
            };
        }

        static Signature instance(String name) throws GeneralSecurityException {
            return switch (name) {
                case "ecdsa-p256-sha256" -> Signature.getInstance("SHA256withECDSA");
                case "ed25519" -> Signature.getInstance("Ed25519");
                case "rsa-pss-sha256" -> {
                    Signature s = Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield s;
                }
                default -> throw new GeneralSecurityException("unknown algorithm " + name);
            };
        }

        static boolean verify(String name, PublicKey key, byte[] data, byte[] signature) {
            try {
                Signature s = instance(name);
                s.initVerify(key);
                s.update(data);
                return s.verify(signature);
            } catch (GeneralSecurityException | RuntimeException e) {
                return false;  // a malformed signature counts as one that does not verify
            }
        }

        /** Sign {@code data} with {@code key} under the algorithm {@code name}. */
        public static byte[] sign(String name, java.security.PrivateKey key, byte[] data)
                throws GeneralSecurityException {
            Signature s = instance(name);
            s.initSign(key);
            s.update(data);
            return s.sign();
        }
    }
}
