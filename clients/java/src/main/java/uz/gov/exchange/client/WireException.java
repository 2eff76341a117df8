package uz.gov.exchange.client;

/** A message that must be refused, with the gateway's machine-readable reason code. */
public class WireException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public WireException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public WireException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The reason code, one of the symbols of the Avro enum {@code ReasonCode}. */
    public String reason() {
        return reason;
    }
}
