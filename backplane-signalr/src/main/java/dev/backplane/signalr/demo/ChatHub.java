package dev.backplane.signalr.demo;

import dev.backplane.signalr.Hub;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The chat demo's hub: rooms are groups, names are user ids (so "who is online" is the hub's
 * presence), and each message says which node it was sent from.
 */
public class ChatHub extends Hub {

    private final String nodeName;

    public ChatHub(String nodeName) {
        this.nodeName = nodeName;
    }

    /** Enters {@code room}, leaving the previous one; the room hears about it. */
    public void join(String room) {
        String previous = (String) context().items().put("room", room);
        if (previous != null && !previous.equals(room)) {
            groups().remove(context().connectionId(), previous).join();
            clients().group(previous).send("left", context().userId(), previous);
        }
        groups().add(context().connectionId(), room).join();
        clients().group(room).send("joined", context().userId(), room, nodeName).join();
    }

    /** Sends {@code text} to the caller's room, on every node. */
    public void send(String text) {
        String room = (String) context().items().get("room");
        if (room == null) {
            throw new dev.backplane.signalr.HubMethodException("join a room first");
        }
        clients().group(room).send("message", context().userId(), room, text, nodeName).join();
    }

    /** Who is online, on every node, and the node this page is connected to. */
    public Map<String, Object> online() {
        return Map.of("users", List.copyOf(new TreeSet<>(presence().onlineUsers())), "node", nodeName);
    }

    @Override
    public void onDisconnected(Throwable error) {
        Object room = context().items().get("room");
        if (room != null) {
            clients().group((String) room).send("left", context().userId(), room);
        }
    }
}
