package dev.backplane.hub;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Node and connection ids. A node id is {@value #NODE_ID_LENGTH} characters from {@code a-z 0-9};
 * a connection id is its owner's node id, a dot, and 16 random characters from {@code A-Z a-z 0-9},
 * so the owner is read off the id with no look-up. Both are legal inside channel names.
 */
final class Ids {

    static final int NODE_ID_LENGTH = 12;
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Pattern CONNECTION = Pattern.compile("[a-z0-9]{" + NODE_ID_LENGTH + "}\\.[A-Za-z0-9]{16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String newNodeId() {
        return random(LOWER, NODE_ID_LENGTH);
    }

    static String newConnectionId(String nodeId) {
        return nodeId + "." + random(MIXED, 16);
    }

    static boolean isConnectionId(String id) {
        return id != null && CONNECTION.matcher(id).matches();
    }

    /**
     * The node id inside a connection id.
     *
     * @throws UnknownConnectionException if {@code id} is not shaped like a connection id
     */
    static String ownerOf(String connectionId) {
        if (!isConnectionId(connectionId)) {
            throw new UnknownConnectionException("'" + connectionId + "' is not a connection id of this hub (expected "
                    + NODE_ID_LENGTH + " characters of node id, a dot and 16 characters, as HubNode.connect returns)");
        }
        return connectionId.substring(0, NODE_ID_LENGTH);
    }

    private static String random(String alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return new String(out);
    }
}
