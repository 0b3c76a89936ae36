package dev.backplane.signalr.protocol;

/** How a protocol's frames travel: as text (JSON) or as binary (MessagePack). */
public enum TransferFormat {
    /** UTF-8 text; the only format Server-Sent Events can carry. */
    TEXT("Text"),
    /** Arbitrary bytes. */
    BINARY("Binary");

    private final String wireName;

    TransferFormat(String wireName) {
        this.wireName = wireName;
    }

    /** The name in a negotiate response ({@code "Text"}, {@code "Binary"}). */
    public String wireName() {
        return wireName;
    }
}
