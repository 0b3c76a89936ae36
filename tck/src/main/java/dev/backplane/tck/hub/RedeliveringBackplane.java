package dev.backplane.tck.hub;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.spi.ForwardingBackplane;

/**
 * A backplane that delivers every message twice, the second time flagged {@code redelivered()},
 * as an at-least-once transport does when an acknowledgement is late or lost. Publishing and the
 * backplane's lifecycle are the wrapped one's.
 */
final class RedeliveringBackplane extends ForwardingBackplane {

    RedeliveringBackplane(Backplane delegate) {
        super(delegate);
    }

    @Override
    protected Subscriber wrap(String channel, Subscriber subscriber) {
        return twice(subscriber);
    }

    @Override
    public String toString() {
        return "redelivering " + delegate;
    }

    private static Subscriber twice(Subscriber subscriber) {
        return new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                byte[] payload = delivery.payload().clone(); // each delivery's array belongs to its receiver
                subscriber.onMessage(delivery);
                subscriber.onMessage(new Redelivery(delivery, payload));
            }

            @Override
            public void onGap(Gap gap) {
                subscriber.onGap(gap);
            }
        };
    }

    /** The second copy of a delivery. */
    private record Redelivery(Delivery first, byte[] payload) implements Delivery {
        @Override
        public String channel() {
            return first.channel();
        }

        @Override
        public Position position() {
            return first.position();
        }

        @Override
        public boolean redelivered() {
            return true;
        }

        @Override
        public void ack() {
            first.ack();
        }
    }
}
