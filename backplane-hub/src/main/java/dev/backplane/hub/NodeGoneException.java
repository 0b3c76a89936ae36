package dev.backplane.hub;

/** The node that owns the connection is not alive: it left, or presence declared it dead. */
public class NodeGoneException extends HubException {
    public NodeGoneException(String message) {
        super(message);
    }
}
