package dev.backplane.benchmark.run;

import java.io.PrintStream;

/**
 * The console progress bar: how much of the planned time is done, what runs now, and an estimate
 * of what is left. On a terminal the bar is redrawn in place; otherwise (a log, CI) one line is
 * printed per point.
 */
public final class Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private double plannedSeconds;
    private double doneSeconds;
    private String lastLine = "";

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar on the console when there is one, else plain lines. */
    public static Progress console() {
        return new Progress(System.err, System.console() != null);
    }

    synchronized void plan(double seconds) {
        plannedSeconds += seconds;
    }

    /** Marks {@code seconds} of the plan as done and shows {@code what} runs next. */
    synchronized void advance(double seconds, String what) {
        doneSeconds = Math.min(plannedSeconds, doneSeconds + seconds);
        show(what, false);
    }

    /** Shows what runs now without moving the bar; on a terminal only. */
    synchronized void status(String what) {
        show(what, true);
    }

    /** Prints a line of its own above the bar. */
    synchronized void note(String line) {
        if (terminal) {
            out.print("\r" + " ".repeat(Math.min(200, lastLine.length())) + "\r");
        }
        out.println(line);
        if (terminal) {
            out.print(lastLine);
            out.flush();
        }
    }

    synchronized void finish() {
        doneSeconds = plannedSeconds;
        show("done", false);
        if (terminal) {
            out.println();
        }
    }

    private void show(String what, boolean transientOnly) {
        if (!terminal && transientOnly) {
            return;
        }
        double fraction = plannedSeconds <= 0 ? 0 : doneSeconds / plannedSeconds;
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double left = fraction > 0.02 ? elapsed / fraction - elapsed : plannedSeconds - doneSeconds;
        String line = String.format("[%s%s] %3d%%  %s elapsed, ~%s left  %s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.round(fraction * 100), clock(elapsed), clock(Math.max(0, left)), what);
        if (terminal) {
            String padded = line.length() < lastLine.length() ? line + " ".repeat(lastLine.length() - line.length()) : line;
            out.print("\r" + padded);
            out.flush();
            lastLine = line;
        } else {
            out.println(line);
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
