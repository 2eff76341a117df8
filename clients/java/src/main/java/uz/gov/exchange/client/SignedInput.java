package uz.gov.exchange.client;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The byte layouts that are signed: envelope v2 (wire-format §7) and the delivery seal (§8.1). */
public final class SignedInput {
    static final byte[] ENVELOPE_V2_LABEL = "uz.exchange.envelope/2".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SEAL_LABEL = "uz.exchange.delivery-seal/1".getBytes(StandardCharsets.US_ASCII);

    private SignedInput() {}

    /** label, fingerprint, algorithm, signed_at (ms), SHA-256(leaf DER), SHA-256(body). */
    public static byte[] envelopeV2(
            byte[] fingerprint, String algorithm, long signedAtMillis, byte[] leafDer, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        lengthPrefixed(out, ENVELOPE_V2_LABEL);
        out.writeBytes(fingerprint);
        lengthPrefixed(out, algorithm.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(8).putLong(signedAtMillis).array());
        out.writeBytes(sha256(leafDer));
        out.writeBytes(sha256(body));
        return out.toByteArray();
    }

    /** label, inbox topic, message id of the body, SHA-256 of the whole record value. */
    public static byte[] deliverySeal(String topic, String messageId, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        lengthPrefixed(out, SEAL_LABEL);
        lengthPrefixed(out, topic.getBytes(StandardCharsets.UTF_8));
        lengthPrefixed(out, (messageId == null ? "" : messageId).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(sha256(value));
        return out.toByteArray();
    }

    static void lengthPrefixed(ByteArrayOutputStream out, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(data);
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
