package uz.gov.exchange.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SealAndRoundTripTest {
    static final Path VECTORS = ConformanceTest.VECTORS;
    static final HexFormat HEX = HexFormat.of();

    static PrivateKey pkcs8(Path pem, String algorithm) throws Exception {
        String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
    }

    static byte[] der(Path pem) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem))).getEncoded();
    }

    @Test
    void theDeliverySealVectorVerifiesAndItsRefusalsAreRefused() throws Exception {
        JsonNode v = new ObjectMapper().readTree(VECTORS.resolve("seal/seal.json").toFile());
        byte[] header = HEX.parseHex(v.get("header_hex").asText());
        byte[] value = HEX.parseHex(v.get("value_hex").asText());
        String topic = v.get("topic").asText();
        String id = v.get("message_id").asText();
        Instant now = Instant.parse(v.get("now").asText());
        assertArrayEquals(HEX.parseHex(v.get("signing_input_hex").asText()), SignedInput.deliverySeal(topic, id, value));
        CertificateVerifier verifier = ConformanceTest.verifier();
        DeliverySeal.verify(header, topic, id, value, verifier, "999999999", now);
        for (JsonNode refused : v.get("refused")) {
            String t = refused.has("topic") ? refused.get("topic").asText() : topic;
            String m = refused.has("message_id") ? refused.get("message_id").asText() : id;
            byte[] val = refused.has("value_hex") ? HEX.parseHex(refused.get("value_hex").asText()) : value;
            String org = refused.has("gateway_org") ? refused.get("gateway_org").asText() : "999999999";
            WireException e = assertThrows(WireException.class,
                    () -> DeliverySeal.verify(header, t, m, val, verifier, org, now), refused.get("case").asText());
            assertEquals("not_delivered_by_gateway", e.reason());
        }
    }

    @Test
    void aRequestSealedInJavaOpensAndAChangedSigningTimeIsABadSignature() throws Exception {
        Schemas schemas = Schemas.load();
        EnvelopeCodec codec = new EnvelopeCodec(schemas, Instant.parse("2027-07-01T00:00:00Z"));
        // a vector Request, decoded, is re-signed by Java with the vector's Ed25519 key
        JsonNode c = new ObjectMapper().readTree(VECTORS.resolve("envelope/cases/v2-request-ed25519.json").toFile());
        Instant now = Instant.parse(c.get("now").asText());
        CertificateVerifier verifier = ConformanceTest.verifier();
        GenericRecord request = codec.open(Base64.getDecoder().decode(c.get("value_b64").asText()), verifier, null, now).record();
        var key = new EnvelopeCodec.SigningKey(pkcs8(VECTORS.resolve("signing/keys/body-ed25519.key.pem"), "Ed25519"),
                "ed25519", List.of(der(VECTORS.resolve("signing/certs/body-ed25519.crt.pem"))));
        Instant signedAt = Instant.parse("2026-03-01T09:59:30Z");
        byte[] value = codec.seal("Request", request, key, signedAt);
        assertEquals(c.get("value_b64").asText(), Base64.getEncoder().encodeToString(value),
                "Ed25519 is deterministic: Java writes exactly the vector's bytes");
        assertEquals("Request", codec.open(value, verifier, null, now).kind());
        GenericRecord env = EnvelopeCodec.decode(schemas.newest("Envelope").schema(), value, 10);
        env.put("signed_at", (Long) env.get("signed_at") + 1);
        byte[] changed = new byte[10 + EnvelopeCodec.encode(env.getSchema(), env).length];
        System.arraycopy(value, 0, changed, 0, 10);
        byte[] body = EnvelopeCodec.encode(env.getSchema(), env);
        System.arraycopy(body, 0, changed, 10, body.length);
        WireException e = assertThrows(WireException.class, () -> codec.open(changed, verifier, null, now));
        assertEquals("bad_signature", e.reason());
        assertEquals(GenericData.Record.class, request.getClass());
    }
}
