package dev.backplane.tck.hub;

import dev.backplane.hub.HubNode;
import dev.backplane.hub.Target;
import dev.backplane.tck.Quoted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scale-out rules S21 and S22: names that spell each other's encoded forms, and repeated and
 * large messages. Part of {@link HubTck}; extend that class, not this one.
 */
public abstract class HubNameAndPayloadRules extends HubKitSupport {

    /** Group and user names that a hub mapping names onto channels could merge (S21). */
    static List<String> lookalikeNames() {
        return List.of("a.b", "a_b", "a-b", "a=2Eb", "a=2eb", "a%2Eb", "a_2Eb", "a+b", "a b", "a:b", "A.B", "a__b",
                "\u00e4", "=C3=A4", "x".repeat(299) + "y", "x".repeat(299) + "z", "y" + "x".repeat(299),
                "z" + "x".repeat(299));
    }

    @Test
    @DisplayName("S21 names: groups and users whose names spell other names' encoded forms (a.b, a=2Eb, a_b, a%2Eb, "
            + "non-ASCII and its encoding, 300-character names differing only in the first or last character) each "
            + "reach only their own connections")
    void s21_lookalikeGroupAndUserNamesStayApart() {
        Cluster k = cluster();
        List<HubNode> nodes = List.of(k.a(), k.b(), k.c());
        List<String> names = lookalikeNames();
        Map<Client, List<String>> expected = new HashMap<>();
        List<Client> members = new ArrayList<>();
        List<Client> users = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Client member = connect(nodes.get(i % 3), null, "member of group " + Quoted.name(names.get(i)));
            await(k.context().addToGroup(member.id(), names.get(i)), "adding a member to group "
                    + Quoted.name(names.get(i)));
            members.add(member);
            users.add(connect(nodes.get((i + 1) % 3), names.get(i), "connection of user " + Quoted.name(names.get(i))));
        }
        for (int i = 0; i < names.size(); i++) {
            await(k.context().send(Target.group(names.get(i)), "group", i), "send to group " + Quoted.name(names.get(i)));
            await(k.a().send(Target.user(names.get(i)), "user", i), "send to user " + Quoted.name(names.get(i)));
            expected.put(members.get(i), List.of("group[" + i + "]"));
            expected.put(users.get(i), List.of("user[" + i + "]"));
        }
        assertExactlyOnce(expected);
    }

    @Test
    @DisplayName("S22 repeated and large messages: the same message sent 20 times back to back reaches each receiver "
            + "20 times, and an argument of 64 KiB + 1 characters (less where the transport's maximum payload is "
            + "smaller) arrives intact")
    void s22_repeatedAndLargeMessagesArriveExactly() {
        Cluster k = cluster();
        Client a1 = connect(k.a(), "ann", "a1");
        Client b1 = connect(k.b(), "bob", "b1");
        Client c1 = connect(k.c(), "cy", "c1");
        await(k.context().addToGroup(a1.id(), "g"), "adding a1 to g");
        await(k.context().addToGroup(b1.id(), "g"), "adding b1 to g");
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sends.add(k.context().send(Target.group("g"), "same", "tick"));
            sends.add(k.b().send(Target.all(), "same", "all"));
        }
        sends.forEach(f -> await(f, "a repeated send"));
        int max = k.backplanes().get(k.a()).capabilities().maxPayloadBytes();
        int size = Math.min((64 << 10) + 1, max / 2 - 1024);
        String large = randomText(Math.max(size, 1));
        await(k.c().send(Target.group("g"), "large", large), "a send of " + large.length() + " characters");
        List<String> group = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            group.add("same[\"tick\"]");
            all.add("same[\"all\"]");
        }
        List<String> member = new ArrayList<>(group);
        member.addAll(all);
        member.add("large[\"" + large + "\"]");
        assertExactlyOnce(Map.of(a1, member, b1, member, c1, all));
    }

    private static String randomText(int length) {
        Random random = new Random(length);
        StringBuilder text = new StringBuilder(length);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-";
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
