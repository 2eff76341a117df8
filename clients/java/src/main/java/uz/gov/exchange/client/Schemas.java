package uz.gov.exchange.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every version of every schema of the exchange, by name and by fingerprint
 * (docs/wire-format.md §4). Parsed once; share one instance.
 */
public final class Schemas {
    static final String[] NAMES = {
        "Cancellation", "Envelope", "Receipt", "Refusal", "Rejection", "Request", "Response",
        "StatsReport", "Status"
    };

    /** One version of one schema. */
    public record Version(String name, int version, Schema schema, byte[] fingerprint) {}

    private final Map<String, List<Version>> byName = new HashMap<>();
    private final Map<ByteBuffer, Version> byFingerprint = new HashMap<>();

    private Schemas() {}

    /** The schemas shipped with this client (the repository's gateway/schemas/avro). */
    public static Schemas load() {
        Schemas schemas = new Schemas();
        for (String name : NAMES) {
            for (int v = 1; ; v++) {
                String path = "/uz/gov/exchange/schemas/" + name + "/v" + v + ".avsc";
                try (InputStream in = Schemas.class.getResourceAsStream(path)) {
                    if (in == null) {
                        break;
                    }
                    Schema schema = new Schema.Parser().setValidateDefaults(false).parse(in);
                    Version item = new Version(name, v, schema, fingerprint(schema));
                    schemas.byName.computeIfAbsent(name, k -> new ArrayList<>()).add(item);
                    // a version that changes only docs has the fingerprint of the older one
                    schemas.byFingerprint.putIfAbsent(ByteBuffer.wrap(item.fingerprint()), item);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + path, e);
                }
            }
        }
        return schemas;
    }

    /** CRC-64-AVRO of the Parsing Canonical Form, little-endian, as on the wire. */
    public static byte[] fingerprint(Schema schema) {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fp).array();
    }

    /** The newest version of {@code name}: the one to write. */
    public Version newest(String name) {
        List<Version> items = byName.get(name);
        if (items == null) {
            throw new IllegalArgumentException("no schema named " + name);
        }
        return items.get(items.size() - 1);
    }

    /** The version whose fingerprint this is, or null. */
    public Version lookup(byte[] fingerprint) {
        return byFingerprint.get(ByteBuffer.wrap(fingerprint));
    }
}
