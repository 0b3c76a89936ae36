package dev.backplane.signalr;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.signalr.protocol.SignalRMessage;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends what a streaming hub method returned: each item as a StreamItem, then a Completion (also
 * after a cancel, as clients expect). A Publisher is asked for items a few at a time; an Iterator is
 * walked on the invocation pool, off the connection's lane.
 */
final class StreamSender {

    private static final int BATCH = 16;

    private StreamSender() {
    }

    static void start(ServerConnection c, String id, String target, Object source, ObjectMapper mapper, Executor pool,
            HubDispatcher dispatcher) {
        AtomicBoolean done = new AtomicBoolean();
        if (source instanceof Iterator<?> it) {
            AtomicBoolean stop = new AtomicBoolean();
            c.streams.put(id, () -> stop.set(true));
            pool.execute(() -> {
                try {
                    while (!stop.get() && !c.closed() && it.hasNext()) {
                        c.send(new SignalRMessage.StreamItem(id, mapper.valueToTree(it.next())));
                    }
                    finish(c, id, done, null, dispatcher, target);
                } catch (RuntimeException e) {
                    finish(c, id, done, e, dispatcher, target);
                }
            });
            return;
        }
        if (!(source instanceof Flow.Publisher<?> publisher)) {
            finish(c, id, done, new IllegalStateException("the stream method returned null"), dispatcher, target);
            return;
        }
        publisher.subscribe(new Flow.Subscriber<Object>() {
            private Flow.Subscription subscription;
            private int sinceRequest;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                c.streams.put(id, () -> {
                    s.cancel();
                    finish(c, id, done, null, dispatcher, target);
                });
                s.request(BATCH);
            }

            @Override
            public void onNext(Object item) {
                if (done.get()) {
                    return;
                }
                c.send(new SignalRMessage.StreamItem(id, mapper.valueToTree(item)));
                if (++sinceRequest == BATCH) {
                    sinceRequest = 0;
                    subscription.request(BATCH);
                }
            }

            @Override
            public void onError(Throwable t) {
                finish(c, id, done, t, dispatcher, target);
            }

            @Override
            public void onComplete() {
                finish(c, id, done, null, dispatcher, target);
            }
        });
    }

    private static void finish(ServerConnection c, String id, AtomicBoolean done, Throwable error,
            HubDispatcher dispatcher, String target) {
        if (!done.compareAndSet(false, true)) {
            return; // completed already (a cancel, then the publisher's own end)
        }
        c.streams.remove(id);
        if (c.closed()) {
            return;
        }
        if (error != null) {
            c.send(SignalRMessage.Completion.ofError(id, "An error occurred on the server while streaming results. "
                    + dispatcher.describe(error, target)));
        } else {
            c.send(SignalRMessage.Completion.ofVoid(id));
        }
    }
}
