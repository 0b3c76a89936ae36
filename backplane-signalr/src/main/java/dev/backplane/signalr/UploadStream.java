package dev.backplane.signalr;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A stream a client uploads into a hub method's parameter: the items of one stream id, as a
 * {@link Flow.Publisher} (one subscriber, items on the invocation pool, honouring demand) or as a
 * blocking {@link Iterator}. At most {@code limit} items wait for the method; a client that sends
 * more is closed by the connection (see {@link #offer}).
 */
final class UploadStream<T> implements Flow.Publisher<T>, Iterator<T> {

    private static final Object END = new Object();

    private final String streamId;
    private final Executor pool;
    private final int limit;
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private Throwable error;
    private boolean ended;
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean draining;
    private boolean cancelled;

    UploadStream(String streamId, Executor pool, int limit) {
        this.streamId = streamId;
        this.pool = pool;
        this.limit = limit;
    }

    String streamId() {
        return streamId;
    }

    /** Adds an item; false when {@code limit} items already wait (the method is not reading). */
    synchronized boolean offer(T item) {
        if (ended || cancelled) {
            return true;
        }
        if (items.size() >= limit) {
            return false;
        }
        items.add(item == null ? NullItem.INSTANCE : item);
        wake();
        return true;
    }

    /** The client completed the stream, with an error or (null) without. */
    synchronized void end(Throwable failure) {
        if (ended) {
            return;
        }
        ended = true;
        error = failure;
        items.add(END);
        wake();
    }

    private void wake() {
        notifyAll();
        if (subscriber != null) {
            drainLater();
        }
    }

    // ------------------------------------------------------------------ Publisher

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        synchronized (this) {
            if (subscriber != null) {
                pool.execute(() -> {
                    s.onSubscribe(new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                        }

                        @Override
                        public void cancel() {
                        }
                    });
                    s.onError(new IllegalStateException("stream " + streamId + " has one subscriber already"));
                });
                return;
            }
            subscriber = s;
        }
        pool.execute(() -> s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (UploadStream.this) {
                    demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    drainLater();
                }
            }

            @Override
            public void cancel() {
                synchronized (UploadStream.this) {
                    cancelled = true;
                    items.clear();
                }
            }
        }));
    }

    private void drainLater() {
        if (!draining && !cancelled && !items.isEmpty() && (demand > 0 || items.peekFirst() == END)) {
            draining = true;
            pool.execute(this::drain);
        }
    }

    @SuppressWarnings("unchecked")
    private void drain() {
        while (true) {
            Object next;
            synchronized (this) {
                if (cancelled || items.isEmpty() || (demand == 0 && items.peekFirst() != END)) {
                    draining = false;
                    return;
                }
                next = items.poll();
                if (next != END) {
                    demand--;
                }
            }
            if (next == END) {
                if (error != null) {
                    subscriber.onError(error);
                } else {
                    subscriber.onComplete();
                }
                return;
            }
            subscriber.onNext(next == NullItem.INSTANCE ? null : (T) next);
        }
    }

    // ------------------------------------------------------------------ Iterator

    @Override
    public synchronized boolean hasNext() {
        while (items.isEmpty()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for stream " + streamId, e);
            }
        }
        if (items.peekFirst() == END) {
            if (error != null) {
                throw new IllegalStateException("stream " + streamId + " failed: " + error.getMessage(), error);
            }
            return false;
        }
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("stream " + streamId + " has ended");
        }
        Object item = items.poll();
        return item == NullItem.INSTANCE ? null : (T) item;
    }

    private enum NullItem { INSTANCE }
}
