package dev.backplane.signalr.protocol;

import java.util.List;

/**
 * A hub protocol: reads the messages a client sends and writes those it receives, each framed as
 * the protocol says (JSON: ended by 0x1E; MessagePack: prefixed by a VarInt length). Stateless and
 * thread-safe.
 */
public interface HubProtocol {

    /** The name clients ask for in the handshake: {@code json}, {@code messagepack}. */
    String name();

    /** How its frames travel. */
    TransferFormat transferFormat();

    /**
     * Reads every message in {@code data} (one or more whole messages, as one WebSocket message or
     * one HTTP body carries them).
     *
     * @throws ProtocolException for anything that is not whole, well-formed messages; the message
     *     names what was wrong
     */
    List<SignalRMessage> read(byte[] data);

    /** One message, framed. */
    byte[] write(SignalRMessage message);

    /**
     * A one-way invocation (no id, no streams) of {@code target} with arguments already serialized
     * as a UTF-8 JSON array, framed: the frame a hub send becomes, made once per send and shared.
     */
    byte[] writeSend(String target, byte[] argumentsJson);
}
