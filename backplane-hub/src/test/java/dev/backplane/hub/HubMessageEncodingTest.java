package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HubMessageEncodingTest {

    private static HubMessage message() {
        return new HubMessage("news", "[\"hi\"]".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneFormatIsEncodedOnceForAllConcurrentRecipients() throws Exception {
        HubMessage m = message();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                results.add(m.encoded("json", msg -> {
                    runs.incrementAndGet();
                    return (msg.method() + msg.argumentsText()).getBytes(StandardCharsets.UTF_8);
                }));
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(runs).hasValue(1);
        assertThat(results).hasSize(8).allSatisfy(r -> assertThat(r).isSameAs(results.get(0)));
    }

    @Test
    void eachFormatHasItsOwnEncoding() {
        HubMessage m = message();
        String json = m.encoded("json", msg -> "J");
        String pack = m.encoded("messagepack", msg -> "M");
        assertThat(json).isEqualTo("J");
        assertThat(pack).isEqualTo("M");
        assertThat((String) m.encoded("json", msg -> "again")).isEqualTo("J");
    }

    @Test
    void anEncoderThatReturnsNullIsRefusedWithTheFormatNamed() {
        assertThatThrownBy(() -> message().encoded("json", msg -> null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("json");
    }

    @Test
    void equalityIgnoresCachedEncodings() {
        HubMessage a = message();
        HubMessage b = message();
        a.encoded("json", msg -> "J");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }
}
