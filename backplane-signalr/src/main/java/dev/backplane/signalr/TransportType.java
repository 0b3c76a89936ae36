package dev.backplane.signalr;

import dev.backplane.signalr.protocol.TransferFormat;
import java.util.List;

/** The SignalR transports, with the names and transfer formats negotiate announces. */
public enum TransportType {
    WEB_SOCKETS("WebSockets", List.of(TransferFormat.TEXT, TransferFormat.BINARY)),
    SERVER_SENT_EVENTS("ServerSentEvents", List.of(TransferFormat.TEXT)),
    LONG_POLLING("LongPolling", List.of(TransferFormat.TEXT, TransferFormat.BINARY));

    private final String wireName;
    private final List<TransferFormat> formats;

    TransportType(String wireName, List<TransferFormat> formats) {
        this.wireName = wireName;
        this.formats = formats;
    }

    public String wireName() {
        return wireName;
    }

    /** The name as ASP.NET Core's {@code signalr.transport} metric tag has it: {@code web_sockets}, ... */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public List<TransferFormat> transferFormats() {
        return formats;
    }
}
