package uz.gov.exchange.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The gateway's delivery seal of an inbox record (docs/wire-format.md §8). */
public final class DeliverySeal {
    public static final String HEADER = "gateway.seal";

    private DeliverySeal() {}

    /** A parsed {@code gateway.seal} header (§8.2). */
    public record Seal(String algorithm, byte[] signature, List<byte[]> chainDer) {}

    /** Parse the header value; anything but exactly the §8.2 layout is refused. */
    public static Seal parse(byte[] header) throws WireException {
        try {
            ByteBuffer in = ByteBuffer.wrap(header);
            if (in.get() != 1) {
                throw new WireException("not_delivered_by_gateway", "unknown seal format");
            }
            String algorithm = new String(chunk(in), StandardCharsets.US_ASCII);
            byte[] signature = chunk(in);
            int count = in.get() & 0xff;
            if (count < 1 || count > 5) {
                throw new WireException("not_delivered_by_gateway", "a seal holds 1 to 5 certificates");
            }
            List<byte[]> chain = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                chain.add(chunk(in));
            }
            if (in.hasRemaining()) {
                throw new WireException("not_delivered_by_gateway", "bytes follow the seal");
            }
            return new Seal(algorithm, signature, chain);
        } catch (RuntimeException e) {
            throw new WireException("not_delivered_by_gateway", "the seal header is malformed", e);
        }
    }

    private static byte[] chunk(ByteBuffer in) throws WireException {
        int n = in.getInt();
        if (n < 1 || n > in.remaining()) {
            throw new WireException("not_delivered_by_gateway", "a seal length is out of range");
        }
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }

    /**
     * Check that the gateway ({@code gatewayOrg}) sealed {@code value} for {@code topic} and
     * the body's {@code messageId}; every failure is {@code not_delivered_by_gateway}.
     */
    public static void verify(byte[] header, String topic, String messageId, byte[] value,
                              CertificateVerifier verifier, String gatewayOrg, Instant now)
            throws WireException {
        Seal seal = parse(header);
        byte[] input = SignedInput.deliverySeal(topic, messageId, value);
        try {
            verifier.verify(seal.algorithm(), seal.chainDer(), input, seal.signature(), gatewayOrg, now, now);
        } catch (WireException e) {
            throw new WireException("not_delivered_by_gateway", "the delivery seal fails: " + e.reason(), e);
        }
    }
}
