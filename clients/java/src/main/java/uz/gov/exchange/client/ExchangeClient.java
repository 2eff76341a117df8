package uz.gov.exchange.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A body's connection to the exchange: publishes signed messages to its outbox, reads its
 * inbox verifying the delivery seal and the sender's signature, and drops duplicates.
 */
public final class ExchangeClient implements AutoCloseable {
    public static final String DEFAULT_GATEWAY_ORG = "999999999";

    private final String orgCode;
    private final String gatewayOrg;
    private final EnvelopeCodec codec;
    private final CertificateVerifier verifier;
    private final EnvelopeCodec.SigningKey signer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 100_000;  // bounded: the gateway itself refuses old duplicates
        }
    };

    /** One item read from the inbox: a verified message, or a refused record and why. */
    public record InboxItem(EnvelopeCodec.Opened message, String refusedReason, long offset) {}

    /**
     * {@code kafka} holds the connection settings (bootstrap.servers and, for the secure
     * broker, security.protocol=SSL with PEM key and trust stores: see the README).
     */
    public ExchangeClient(String orgCode, Properties kafka, EnvelopeCodec codec,
                          CertificateVerifier verifier, EnvelopeCodec.SigningKey signer, String groupId) {
        this.orgCode = orgCode;
        this.gatewayOrg = DEFAULT_GATEWAY_ORG;
        this.codec = codec;
        this.verifier = verifier;
        this.signer = signer;
        Properties p = new Properties();
        p.putAll(kafka);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "5");
        p.put("max.request.size", Integer.toString(EnvelopeCodec.MAX_ENVELOPE_BYTES + 64 * 1024));
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.putAll(kafka);
        c.put("group.id", groupId);
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        c.put("max.partition.fetch.bytes", Integer.toString(EnvelopeCodec.MAX_ENVELOPE_BYTES + 64 * 1024));
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public String outbox() {
        return "exchange.outbox." + orgCode;
    }

    public String inbox() {
        return "exchange.inbox." + orgCode;
    }

    /**
     * Sign {@code record} as a {@code kind} and publish it to this body's outbox; returns the
     * value sent. The sender must be this body (the gateway would refuse anything else).
     */
    public byte[] send(String kind, GenericRecord record)
            throws GeneralSecurityException, InterruptedException, ExecutionException {
        GenericRecord sender = (GenericRecord) record.get("sender");
        if (sender == null || !orgCode.equals(sender.get("code").toString())) {
            throw new IllegalArgumentException("sender.code must be this body's code " + orgCode);
        }
        byte[] value = codec.seal(kind, record, signer, Instant.now());
        Object caseId = record.get("case_id");
        String key = caseId != null ? caseId.toString() : record.get("message_id").toString();
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(outbox(), key.getBytes(StandardCharsets.UTF_8), value);
        out.headers().add("message_id", record.get("message_id").toString().getBytes(StandardCharsets.UTF_8));
        out.headers().add("type", kind.getBytes(StandardCharsets.UTF_8));
        producer.send(out).get();
        return value;
    }

    /** Subscribe to this body's inbox (call once before {@link #poll}). */
    public void subscribe() {
        consumer.subscribe(List.of(inbox()));
    }

    /** Read what arrived; duplicates (by message id and type) are dropped, refusals reported. */
    public List<InboxItem> poll(Duration timeout) {
        List<InboxItem> items = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            items.add(open(r));
        }
        consumer.commitSync();
        items.removeIf(item -> item.message() != null
                && seen.put(item.message().kind() + "/" + item.message().messageId(), Boolean.TRUE) != null);
        return items;
    }

    InboxItem open(ConsumerRecord<byte[], byte[]> r) {
        Instant now = Instant.now();
        try {
            List<Header> seals = new ArrayList<>();
            r.headers().headers(DeliverySeal.HEADER).forEach(seals::add);
            if (seals.size() != 1) {
                throw new WireException("not_delivered_by_gateway", "no single delivery seal");
            }
            EnvelopeCodec.Opened opened = codec.open(r.value(), verifier, gatewayOrg, now);
            DeliverySeal.verify(seals.get(0).value(), r.topic(), opened.messageId(), r.value(),
                    verifier, gatewayOrg, now);
            return new InboxItem(opened, null, r.offset());
        } catch (WireException e) {
            return new InboxItem(null, e.reason(), r.offset());
        }
    }

    /** A Receipt is the gateway's: check it names the body digest of the message sent. */
    public static boolean receiptMatches(EnvelopeCodec.Opened receipt, byte[] sentValue, EnvelopeCodec codec,
                                         CertificateVerifier verifier) {
        if (!receipt.kind().equals("Receipt") || !receipt.signer().orgCode().equals(DEFAULT_GATEWAY_ORG)) {
            return false;
        }
        try {
            EnvelopeCodec.Opened sent = codec.open(sentValue, verifier, null, Instant.now());
            byte[] digest = EnvelopeCodec.bytes(java.nio.ByteBuffer.wrap(
                    ((org.apache.avro.generic.GenericData.Fixed) receipt.record().get("body_sha256")).bytes()));
            return java.util.Arrays.equals(digest, SignedInput.sha256(sent.body()))
                    && sent.messageId().equals(receipt.messageId());
        } catch (WireException e) {
            return false;
        }
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
