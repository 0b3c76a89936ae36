package dev.backplane.signalr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.backplane.hub.HubInvocation;
import dev.backplane.signalr.protocol.SignalRMessage;
import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Hub dispatch: turns what a client sent into calls of its hub's methods, and their outcomes into
 * completions and stream items. Invocations of one connection run one at a time on its lane (over
 * the invocation pool); client results and uploaded stream items are handled where they arrive,
 * so a method waiting for them never blocks them.
 */
final class HubDispatcher {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubDispatcher.class);

    private final HubMethods methods;
    private final Supplier<? extends Hub> factory;
    private final dev.backplane.hub.HubContext hub;
    private final ObjectMapper mapper;
    private final SignalROptions options;
    private final Executor pool;

    HubDispatcher(HubMethods methods, Supplier<? extends Hub> factory, dev.backplane.hub.HubContext hub,
            ObjectMapper mapper, SignalROptions options, Executor pool) {
        this.methods = methods;
        this.factory = factory;
        this.hub = hub;
        this.mapper = mapper;
        this.options = options;
        this.pool = pool;
    }

    /** The handshake is done: onConnected runs before any invocation. */
    void connected(ServerConnection c) {
        c.lane.execute(() -> {
            try {
                newHub(c).onConnected();
            } catch (RuntimeException e) {
                LOG.warn(methods.hubClass().getSimpleName() + ".onConnected failed for "
                        + c, e);
                c.close("Connection closed with an error. " + describe(e, "onConnected"), e);
            }
        });
    }

    /** The connection has left the hub. */
    void disconnected(ServerConnection c, Throwable error) {
        c.streams.values().forEach(Runnable::run);
        c.streams.clear();
        c.uploads.values().forEach(u -> u.end(new IllegalStateException("the connection closed")));
        c.uploads.clear();
        for (HubInvocation inv : c.clientResults.values()) {
            inv.fail("connection " + c.connectionId() + " closed before answering");
        }
        c.clientResults.clear();
        c.lane.execute(() -> {
            try {
                newHub(c).onDisconnected(error);
            } catch (RuntimeException e) {
                LOG.warn(methods.hubClass().getSimpleName() + ".onDisconnected failed for "
                        + c, e);
            }
        });
    }

    void handle(ServerConnection c, SignalRMessage m) {
        if (m instanceof SignalRMessage.Invocation inv) {
            enqueue(c, inv.invocationId(), inv.target(), inv.arguments(), inv.streamIds(), false);
        } else if (m instanceof SignalRMessage.StreamInvocation inv) {
            enqueue(c, inv.invocationId(), inv.target(), inv.arguments(), inv.streamIds(), true);
        } else if (m instanceof SignalRMessage.StreamItem item) {
            UploadStream<Object> upload = c.uploads.get(item.invocationId());
            if (upload == null) {
                LOG.atDebug().log(() -> c + " sent an item for unknown stream " + item.invocationId());
                return;
            }
            Object value;
            try {
                value = mapper.convertValue(item.item(), Object.class);
            } catch (IllegalArgumentException e) {
                value = item.item();
            }
            if (!upload.offer(value)) {
                c.close("Connection closed with an error. the hub method does not read stream " + upload.streamId()
                        + " and more than " + options.maxPendingInvocations() + " items wait", null);
            }
        } else if (m instanceof SignalRMessage.Completion done) {
            UploadStream<Object> upload = c.uploads.remove(done.invocationId());
            if (upload != null) {
                upload.end(done.error() == null ? null : new HubMethodException(done.error()));
                return;
            }
            HubInvocation inv = c.clientResults.remove(done.invocationId());
            if (inv == null) {
                LOG.atDebug().log(() -> c + " completed unknown invocation " + done.invocationId());
            } else if (done.error() != null) {
                inv.fail(done.error());
            } else {
                try {
                    inv.completeJson(mapper.writeValueAsBytes(done.hasResult() ? done.result() : null));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    inv.fail("the result could not be serialized: " + e.getOriginalMessage());
                }
            }
        } else if (m instanceof SignalRMessage.CancelInvocation cancel) {
            Runnable stop = c.streams.remove(cancel.invocationId());
            if (stop != null) {
                stop.run();
            }
        } else if (m instanceof SignalRMessage.Close) {
            c.clientClosed();
        }
    }

    private void enqueue(ServerConnection c, String invocationId, String target, ArrayNode args,
            List<String> streamIds, boolean streamCall) {
        if (c.lane.backlog() >= options.maxPendingInvocations()) {
            c.close("Connection closed with an error. more than " + options.maxPendingInvocations()
                    + " invocations wait: the client sends faster than its hub methods complete", null);
            return;
        }
        // Upload streams exist from the moment the invocation is read: their items may come before it runs.
        HubMethods.HubMethod method = methods.find(target);
        UploadStream<?>[] uploads = new UploadStream<?>[streamIds.size()];
        for (int i = 0; i < streamIds.size(); i++) {
            UploadStream<Object> u = new UploadStream<>(streamIds.get(i), pool, options.maxPendingInvocations());
            uploads[i] = u;
            c.uploads.put(streamIds.get(i), u);
        }
        c.lane.execute(() -> invoke(c, invocationId, target, method, args, uploads, streamCall));
    }

    private void invoke(ServerConnection c, String invocationId, String target, HubMethods.HubMethod method,
            ArrayNode args, UploadStream<?>[] uploads, boolean streamCall) {
        if (c.closed()) {
            return;
        }
        String refusal = check(c, target, method, args, uploads, streamCall);
        Object[] bound = null;
        if (refusal == null) {
            try {
                bound = bind(method, args, uploads);
            } catch (IllegalArgumentException e) {
                refusal = "Failed to invoke '" + target + "' due to an error on the server. InvalidDataException: "
                        + "Error binding arguments. Make sure that the types of the provided values match the types "
                        + "of the hub method being invoked." + (options.detailedErrors() ? " " + e.getMessage() : "");
            }
        }
        if (refusal != null) {
            for (UploadStream<?> u : uploads) {
                c.uploads.remove(u.streamId());
            }
            complete(c, invocationId, SignalRMessage.Completion.ofError(invocationId, refusal));
            return;
        }
        if (c.identity() != null && c.identity().expired(Instant.now())) {
            complete(c, invocationId, SignalRMessage.Completion.ofError(invocationId,
                    "Failed to invoke '" + target + "' because the user's authentication expired."));
            c.close("Connection closed with an error. The user's authentication expired.", null);
            return;
        }
        Object result;
        try {
            Hub instance = newHub(c);
            result = method.method().invoke(instance, bound);
        } catch (InvocationTargetException e) {
            complete(c, invocationId, SignalRMessage.Completion.ofError(invocationId, describe(e.getCause(), target)));
            return;
        } catch (IllegalAccessException | RuntimeException e) {
            complete(c, invocationId, SignalRMessage.Completion.ofError(invocationId, describe(e, target)));
            return;
        }
        switch (method.answer()) {
            case STREAM -> StreamSender.start(c, invocationId, target, result, mapper, pool, this);
            case ASYNC -> ((CompletionStage<?>) result).whenComplete((value, error) -> complete(c, invocationId,
                    error != null ? SignalRMessage.Completion.ofError(invocationId, describe(unwrap(error), target))
                            : resultOf(invocationId, method, value)));
            case VALUE -> complete(c, invocationId, resultOf(invocationId, method, result));
        }
    }

    private String check(ServerConnection c, String target, HubMethods.HubMethod method, ArrayNode args,
            UploadStream<?>[] uploads, boolean streamCall) {
        if (method == null) {
            return "Failed to invoke '" + target + "' due to an error on the server. HubException: Method does not exist.";
        }
        if (!HubMethods.allowed(method.roles(), c.identity())) {
            return "Failed to invoke '" + target + "' because user is unauthorized";
        }
        boolean streams = method.answer() == HubMethods.Answer.STREAM;
        if (streamCall && !streams) {
            return "The client attempted to invoke the non-streaming '" + method.name()
                    + "' method with a streaming invocation.";
        }
        if (!streamCall && streams) {
            return "The client attempted to invoke the streaming '" + method.name()
                    + "' method with a non-streaming invocation.";
        }
        int uploadParams = method.parameters().length - method.valueParameters();
        if (args.size() != method.valueParameters()) {
            return "Failed to invoke '" + target + "' due to an error on the server. InvalidDataException: Invocation "
                    + "provides " + args.size() + " argument(s) but target expects " + method.valueParameters() + ".";
        }
        if (uploads.length != uploadParams) {
            return "Failed to invoke '" + target + "' due to an error on the server. InvalidDataException: Invocation "
                    + "provides " + uploads.length + " stream(s) but target expects " + uploadParams + ".";
        }
        return null;
    }

    private Object[] bind(HubMethods.HubMethod method, ArrayNode args, UploadStream<?>[] uploads) {
        Object[] out = new Object[method.parameters().length];
        int value = 0;
        int upload = 0;
        for (int i = 0; i < out.length; i++) {
            if (method.uploads()[i]) {
                out[i] = new TypedUpload(uploads[upload++], mapper, method.uploadItemTypes()[i]).as(
                        method.method().getParameterTypes()[i]);
            } else {
                JsonNode node = args.get(value++);
                try {
                    out[i] = mapper.treeToValue(node, method.parameters()[i]);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(e.getOriginalMessage(), e);
                }
                if (out[i] == null && method.parameters()[i].isPrimitive()) {
                    throw new IllegalArgumentException("null for primitive parameter " + i);
                }
            }
        }
        return out;
    }

    SignalRMessage.Completion resultOf(String invocationId, HubMethods.HubMethod method, Object value) {
        if (method.method().getReturnType() == void.class || method.method().getReturnType() == Void.class
                || (method.answer() == HubMethods.Answer.ASYNC && value == null)) {
            return SignalRMessage.Completion.ofVoid(invocationId);
        }
        return SignalRMessage.Completion.ofResult(invocationId, mapper.valueToTree(value));
    }

    void complete(ServerConnection c, String invocationId, SignalRMessage.Completion completion) {
        if (invocationId == null) {
            if (completion.error() != null) {
                LOG.atDebug().log(() -> c + ": " + completion.error());
            }
            return; // a non-blocking invocation gets no completion
        }
        c.send(completion);
    }

    /**
     * The error a client sees for a failed call: the message of a HubMethodException (or of a client
     * result that failed, which is the other client's answer), else generic.
     */
    String describe(Throwable e, String target) {
        if (e instanceof HubMethodException || e instanceof dev.backplane.hub.ClientInvocationException) {
            return "An unexpected error occurred invoking '" + target + "' on the server. HubException: "
                    + e.getMessage();
        }
        LOG.debug("hub method " + target + " failed", e);
        return "An unexpected error occurred invoking '" + target + "' on the server."
                + (options.detailedErrors() ? " " + e.getClass().getSimpleName() + ": " + e.getMessage() : "");
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private Hub newHub(ServerConnection c) {
        Hub h = factory.get();
        h.bind(new HubCall(c, new Proxies(hub, c.connectionId(), options.clientResultTimeout()),
                SendingContext.groupsOf(hub), hub.presence()));
        return h;
    }
}
