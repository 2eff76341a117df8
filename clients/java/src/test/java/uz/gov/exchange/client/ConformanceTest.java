package uz.gov.exchange.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The envelope conformance kit of tests/vectors/envelope, the same files Python runs. */
class ConformanceTest {
    static final Path VECTORS = Path.of(System.getProperty("exchange.repo", "../..")).resolve("tests/vectors");
    static final Schemas SCHEMAS = Schemas.load();

    static CertificateVerifier verifier() throws Exception {
        Path signing = VECTORS.resolve("signing");
        return CertificateVerifier.fromPem(List.of(signing.resolve("ca.crt.pem")), List.of(signing.resolve("crl.pem")));
    }

    @TestFactory
    Stream<DynamicTest> envelopeCases() throws Exception {
        CertificateVerifier verifier = verifier();
        ObjectMapper json = new ObjectMapper();
        List<Path> cases;
        try (Stream<Path> files = Files.list(VECTORS.resolve("envelope/cases"))) {
            cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(cases.size() >= 20, "the kit is missing: " + VECTORS);
        return cases.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            JsonNode c = json.readTree(path.toFile());
            EnvelopeCodec codec = new EnvelopeCodec(SCHEMAS, Instant.parse(c.get("v1_until").asText()));
            byte[] value = Base64.getDecoder().decode(c.get("value_b64").asText());
            String org = c.get("expected_org").isNull() ? null : c.get("expected_org").asText();
            Instant now = Instant.parse(c.get("now").asText());
            String expected = c.get("expected").asText();
            String outcome;
            EnvelopeCodec.Opened opened = null;
            try {
                opened = codec.open(value, verifier, org, now);
                outcome = "valid";
            } catch (WireException e) {
                outcome = e.reason();
            }
            assertEquals(expected, outcome, c.get("case").asText());
            if (opened != null) {
                assertEquals(c.get("kind").asText(), opened.kind());
                assertEquals(c.get("message_id").asText(), opened.messageId());
            }
        }));
    }
}
