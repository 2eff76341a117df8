package uz.gov.exchange.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Seals messages into signed envelopes (version 2) and opens and verifies them
 * (docs/wire-format.md §1–§3, §7). Build one per process.
 */
public final class EnvelopeCodec {
    public static final int MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
    static final byte[] MAGIC = {(byte) 0xC3, 0x01};

    private final Schemas schemas;
    private final Schemas.Version envelope;
    private final Instant v1Until;

    /** {@code v1Until}: from then on version-1 envelopes are refused; null reads them for ever. */
    public EnvelopeCodec(Schemas schemas, Instant v1Until) {
        this.schemas = schemas;
        this.envelope = schemas.newest("Envelope");
        this.v1Until = v1Until;
    }

    /** A signer: its private key, the algorithm name and its chain, leaf first. */
    public record SigningKey(PrivateKey key, String algorithm, List<byte[]> chainDer) {}

    /** A verified message: its type, schema version, decoded record and signer. */
    public record Opened(String kind, int schemaVersion, GenericRecord record,
                         CertificateVerifier.Signer signer, int envelopeVersion, byte[] body) {
        public String messageId() {
            Object id = record.get("message_id");
            return id == null ? null : id.toString();
        }
    }

    /** Encode {@code record} (of schema {@code kind}'s newest version), sign it and wrap it. */
    public byte[] seal(String kind, GenericRecord record, SigningKey signer, Instant signedAt)
            throws GeneralSecurityException {
        Schemas.Version writer = schemas.newest(kind);
        byte[] body = encode(writer.schema(), record);
        long millis = signedAt.toEpochMilli();
        byte[] input = SignedInput.envelopeV2(
                writer.fingerprint(), signer.algorithm(), millis, signer.chainDer().get(0), body);
        GenericRecord env = new GenericData.Record(envelope.schema());
        env.put("version", 2);
        env.put("body", ByteBuffer.wrap(body));
        env.put("schema_fingerprint", new GenericData.Fixed(
                envelope.schema().getField("schema_fingerprint").schema(), writer.fingerprint()));
        env.put("signature_algorithm", signer.algorithm());
        env.put("signature", ByteBuffer.wrap(
                CertificateVerifier.Algorithms.sign(signer.algorithm(), signer.key(), input)));
        env.put("signed_at", millis);
        List<ByteBuffer> chain = new ArrayList<>();
        for (byte[] der : signer.chainDer()) {
            chain.add(ByteBuffer.wrap(der));
        }
        env.put("certificate_chain", chain);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(envelope.fingerprint());
        out.writeBytes(encode(envelope.schema(), env));
        return out.toByteArray();
    }

    /**
     * Decode and verify a record value. {@code expectedOrg} is used when the body names no
     * sender (the gateway's own messages: its code, 999999999 by default).
     */
    public Opened open(byte[] value, CertificateVerifier verifier, String expectedOrg, Instant now)
            throws WireException {
        if (value.length > MAX_ENVELOPE_BYTES) {
            throw new WireException("message_too_large", "the value is over 4 MiB");
        }
        if (value.length < 10 || value[0] != MAGIC[0] || value[1] != MAGIC[1]) {
            throw new WireException("malformed_envelope", "not an Avro single-object encoding");
        }
        byte[] outer = Arrays.copyOfRange(value, 2, 10);
        Schemas.Version outerSchema = schemas.lookup(outer);
        if (outerSchema == null) {
            throw new WireException("unknown_schema", "unknown fingerprint after C3 01");
        }
        GenericRecord env = decode(outerSchema.schema(), value, 10);
        if (!outerSchema.name().equals("Envelope")) {
            throw new WireException("malformed_envelope", "the value is not an Envelope");
        }
        int version = (Integer) env.get("version");
        if (version != 1 && version != 2) {
            throw new WireException("malformed_envelope", "unknown envelope version " + version);
        }
        if (version == 1 && v1Until != null && !now.isBefore(v1Until)) {
            throw new WireException("envelope_version_retired", "envelope version 1 is retired");
        }
        byte[] body = bytes(env.get("body"));
        byte[] fingerprint = ((GenericData.Fixed) env.get("schema_fingerprint")).bytes();
        Schemas.Version writer = schemas.lookup(fingerprint);
        if (writer == null) {
            throw new WireException("unknown_schema", "no known schema has the body's fingerprint");
        }
        if (writer.name().equals("Envelope")) {
            throw new WireException("malformed_body", "the body is itself an envelope");
        }
        GenericRecord record = decode(writer.schema(), body, 0);
        String org = expectedOrg;
        if (record.getSchema().getField("sender") != null && record.get("sender") instanceof GenericRecord s
                && s.get("code") != null && !s.get("code").toString().isEmpty()) {
            org = s.get("code").toString();
        }
        if (org == null) {
            throw new WireException("malformed_body", "no sender and no expected signer");
        }
        String algorithm = env.get("signature_algorithm").toString();
        @SuppressWarnings("unchecked")
        List<ByteBuffer> chainBuffers = (List<ByteBuffer>) env.get("certificate_chain");
        List<byte[]> chain = new ArrayList<>();
        for (ByteBuffer b : chainBuffers) {
            chain.add(bytes(b));
        }
        long signedAtMillis = (Long) env.get("signed_at");
        byte[] signed;
        Instant signingTime;
        if (version == 2) {
            signed = SignedInput.envelopeV2(fingerprint, algorithm, signedAtMillis,
                    chain.isEmpty() ? new byte[0] : chain.get(0), body);
            signingTime = Instant.ofEpochMilli(signedAtMillis);
        } else {  // version 1: only the body is signed; its sent_at is the signed time
            signed = body;
            Object sentAt = record.getSchema().getField("sent_at") != null ? record.get("sent_at") : null;
            signingTime = Instant.ofEpochMilli(sentAt != null ? (Long) sentAt : signedAtMillis);
        }
        byte[] signature = bytes(env.get("signature"));
        var signer = verifier.verify(algorithm, chain, signed, signature, org, signingTime, now);
        return new Opened(writer.name(), writer.version(), record, signer, version, body);
    }

    static byte[] encode(Schema schema, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the record does not fit " + schema.getName(), e);
        }
    }

    /** Strict decoding: a complete record and nothing after it (wire-format §3 B2). */
    static GenericRecord decode(Schema schema, byte[] data, int offset) throws WireException {
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
            GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new WireException("malformed_body", "bytes follow the end of the record");
            }
            return record;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
                 | NegativeArraySizeException | ClassCastException e) {
            throw new WireException("malformed_body", "not a valid " + schema.getName() + " encoding", e);
        }
    }

    static byte[] bytes(Object buffer) {
        ByteBuffer b = ((ByteBuffer) buffer).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
