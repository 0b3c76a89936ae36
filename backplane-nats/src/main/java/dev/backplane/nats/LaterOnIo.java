package dev.backplane.nats;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task of the transport after a pause: the shared scheduler only times it (its tasks must
 * be short and never write), and the task itself runs on one of the client's I/O threads.
 */
final class LaterOnIo {

    private LaterOnIo() {
    }

    /**
     * Runs {@code task} on {@code io} about {@code delay} from now.
     *
     * @return false if the scheduler or the I/O threads are shut down (the backplane is closing):
     *     the task will not run
     */
    static boolean run(ScheduledExecutorService scheduler, Executor io, long delay, TimeUnit unit, Runnable task) {
        try {
            scheduler.schedule(() -> {
                try {
                    io.execute(task);
                } catch (RejectedExecutionException closing) {
                    // the backplane is closing: nothing waits for the task any more
                }
            }, delay, unit);
            return true;
        } catch (RejectedExecutionException closing) {
            return false;
        }
    }
}
