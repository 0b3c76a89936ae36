package dev.backplane.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates topics, several per request: topics asked for while a request is on its way go
 * together in the next one. The broker's controller commits one request at a time, so two
 * hundred topics take one round instead of two hundred (a few hundred milliseconds instead of
 * several seconds), as when an instance subscribes to many new channels at once with a topic per
 * channel.
 */
final class TopicCreator {

    private final Admin admin;
    private final Function<String, NewTopic> newTopic;
    private final Duration requestTimeout;
    // Guarded by itself: topics waiting for the next request, and whether one is on its way.
    private final Map<String, CompletableFuture<Void>> waiting = new LinkedHashMap<>();
    private boolean requesting;

    /**
     * @param newTopic how a topic of a given name is created (partitions, replication, configs)
     * @param requestTimeout how long the broker may take to answer one request
     */
    TopicCreator(Admin admin, Function<String, NewTopic> newTopic, Duration requestTimeout) {
        this.admin = admin;
        this.newTopic = newTopic;
        this.requestTimeout = requestTimeout;
    }

    /** Completes once {@code topic} is created; fails as the broker answered for it (TopicExistsException included). */
    CompletableFuture<Void> create(String topic) {
        synchronized (waiting) {
            CompletableFuture<Void> created = waiting.computeIfAbsent(topic, t -> new CompletableFuture<>());
            if (!requesting) {
                requesting = true;
                sendWaiting();
            }
            return created;
        }
    }

    /** Sends every waiting topic in one request. Called with the lock held. */
    private void sendWaiting() {
        Map<String, CompletableFuture<Void>> batch = new LinkedHashMap<>(waiting);
        waiting.clear();
        List<NewTopic> topics = new ArrayList<>();
        batch.keySet().forEach(name -> topics.add(newTopic.apply(name)));
        CreateTopicsResult result;
        try {
            result = admin.createTopics(topics, new CreateTopicsOptions()
                    .timeoutMs((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis())));
        } catch (RuntimeException e) {
            // The admin client is closed.
            batch.values().forEach(f -> f.completeExceptionally(e));
            requesting = false;
            return;
        }
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        batch.forEach((name, created) -> answers.add(TopicAdmin.stage(result.values().get(name)).whenComplete((v, e) -> {
            if (e != null) {
                created.completeExceptionally(e);
            } else {
                created.complete(null);
            }
        })));
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            synchronized (waiting) {
                if (waiting.isEmpty()) {
                    requesting = false;
                } else {
                    sendWaiting();
                }
            }
        });
    }
}
