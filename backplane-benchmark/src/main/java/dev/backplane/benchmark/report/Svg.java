package dev.backplane.benchmark.report;

import java.util.List;
import java.util.Locale;

/** The two kinds of chart the report draws, as inline SVG: grouped bars and lines. */
final class Svg {

    /**
     * One series of bars: a value per category, with the spread over the runs as a whisker.
     *
     * @param labels text above each bar (a ratio, say), or null
     */
    record Bars(String name, String color, double[] values, double[] mins, double[] maxs, String[] labels) {
    }

    /**
     * One line through points (x, y); {@code dashed} for the raw clients.
     */
    record Line(String name, String color, boolean dashed, double[] xs, double[] ys) {
    }

    private static final int W = 720;
    private static final int H = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    private Svg() {
    }

    static String bars(String title, List<String> categories, List<Bars> series, String yLabel) {
        double top = 0;
        for (Bars s : series) {
            for (int i = 0; i < s.values.length; i++) {
                top = Math.max(top, Math.max(s.values[i], s.maxs == null ? 0 : s.maxs[i]));
            }
        }
        top = niceTop(top);
        StringBuilder b = open(title);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        axisY(b, 0, top, false, yLabel);
        double group = plotW / (double) Math.max(1, categories.size());
        double bar = Math.min(40, group * 0.8 / Math.max(1, series.size()));
        for (int c = 0; c < categories.size(); c++) {
            double gx = LEFT + c * group + (group - bar * series.size()) / 2;
            for (int s = 0; s < series.size(); s++) {
                Bars sr = series.get(s);
                double v = sr.values[c];
                if (Double.isNaN(v)) {
                    continue;
                }
                double x = gx + s * bar;
                double y = TOP + plotH - v / top * plotH;
                b.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s %s: %s</title></rect>",
                        x, y, bar - 2, TOP + plotH - y, sr.color, Format.html(categories.get(c)), Format.html(sr.name), Format.count(v)));
                if (sr.mins != null && !Double.isNaN(sr.mins[c])) {
                    double y1 = TOP + plotH - sr.mins[c] / top * plotH;
                    double y2 = TOP + plotH - sr.maxs[c] / top * plotH;
                    double cx = x + (bar - 2) / 2;
                    b.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#222' stroke-width='1'/>", cx, y1, cx, y2));
                    b.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#222'/>", cx - 3, y2, cx + 3, y2));
                    b.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#222'/>", cx - 3, y1, cx + 3, y1));
                }
                if (sr.labels != null && sr.labels[c] != null) {
                    b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle'>%s</text>",
                            x + (bar - 2) / 2, Math.min(y, TOP + plotH - (sr.maxs == null ? v : sr.maxs[c]) / top * plotH) - 4,
                            Format.html(sr.labels[c])));
                }
            }
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>",
                    LEFT + c * group + group / 2, TOP + plotH + 16, Format.html(categories.get(c))));
        }
        legend(b, series.stream().map(s -> new String[] {s.name, s.color, "solid"}).toList());
        return b.append("</svg>").toString();
    }

    static String lines(String title, List<Line> lines, String xLabel, String yLabel, boolean logX, boolean logY) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Line l : lines) {
            for (int i = 0; i < l.xs.length; i++) {
                if (!(l.ys[i] > 0) || !(l.xs[i] > 0)) {
                    continue;
                }
                minX = Math.min(minX, l.xs[i]);
                maxX = Math.max(maxX, l.xs[i]);
                minY = Math.min(minY, l.ys[i]);
                maxY = Math.max(maxY, l.ys[i]);
            }
        }
        StringBuilder b = open(title);
        if (minX == Double.MAX_VALUE) {
            b.append("<text x='").append(W / 2).append("' y='").append(H / 2).append("' text-anchor='middle'>no data</text>");
            return b.append("</svg>").toString();
        }
        if (logY) {
            minY = Math.pow(10, Math.floor(Math.log10(minY)));
            maxY = Math.pow(10, Math.ceil(Math.log10(maxY)));
        } else {
            minY = 0;
            maxY = niceTop(maxY);
        }
        if (logX) {
            minX = Math.pow(10, Math.floor(Math.log10(minX)));
            maxX = Math.pow(10, Math.ceil(Math.log10(maxX)));
        }
        if (maxX <= minX) {
            maxX = minX * 10;
        }
        if (maxY <= minY) {
            maxY = minY * 10;
        }
        axisY(b, minY, maxY, logY, yLabel);
        axisX(b, minX, maxX, logX, xLabel);
        for (Line l : lines) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < l.xs.length; i++) {
                if (!(l.ys[i] > 0) || !(l.xs[i] > 0)) {
                    continue;
                }
                double x = sx(l.xs[i], minX, maxX, logX);
                double y = sy(l.ys[i], minY, maxY, logY);
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                b.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'><title>%s: %s at %s</title></circle>",
                        x, y, l.color, Format.html(l.name), Format.count(l.ys[i]), Format.count(l.xs[i])));
            }
            if (path.length() > 0) {
                b.append("<path d='").append(path).append("' fill='none' stroke='").append(l.color).append("' stroke-width='1.6'")
                        .append(l.dashed ? " stroke-dasharray='5 3'" : "").append("/>");
            }
        }
        legend(b, lines.stream().map(l -> new String[] {l.name, l.color, l.dashed ? "dashed" : "solid"}).toList());
        return b.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(W).append("' height='").append(H)
                .append("' viewBox='0 0 ").append(W).append(' ').append(H).append("' font-family='sans-serif'>");
        b.append("<text x='").append(LEFT).append("' y='18' font-size='13' font-weight='bold'>").append(Format.html(title)).append("</text>");
        return b;
    }

    private static double sx(double x, double min, double max, boolean log) {
        double f = log ? (Math.log10(x) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (x - min) / (max - min);
        return LEFT + f * (W - LEFT - RIGHT);
    }

    private static double sy(double y, double min, double max, boolean log) {
        double f = log ? (Math.log10(y) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (y - min) / (max - min);
        return TOP + (1 - f) * (H - TOP - BOTTOM);
    }

    private static void axisY(StringBuilder b, double min, double max, boolean log, String label) {
        int plotH = H - TOP - BOTTOM;
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#888'/>", LEFT, TOP, LEFT, TOP + plotH));
        double[] ticks = ticks(min, max, log);
        for (double t : ticks) {
            double y = sy(t, min, max, log);
            b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", LEFT, y, W - RIGHT, y));
            b.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='10' text-anchor='end'>%s</text>", LEFT - 4, y + 3, Format.count(t)));
        }
        b.append(String.format(Locale.ROOT, "<text x='14' y='%d' font-size='11' transform='rotate(-90 14 %d)' text-anchor='middle'>%s</text>",
                TOP + plotH / 2, TOP + plotH / 2, Format.html(label)));
    }

    private static void axisX(StringBuilder b, double min, double max, boolean log, String label) {
        int plotH = H - TOP - BOTTOM;
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#888'/>", LEFT, TOP + plotH, W - RIGHT, TOP + plotH));
        for (double t : ticks(min, max, log)) {
            double x = sx(t, min, max, log);
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%s</text>", x, TOP + plotH + 14, Format.count(t)));
        }
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' text-anchor='middle'>%s</text>",
                LEFT + (W - LEFT - RIGHT) / 2, H - 12, Format.html(label)));
    }

    private static double[] ticks(double min, double max, boolean log) {
        if (log) {
            int from = (int) Math.floor(Math.log10(min));
            int to = (int) Math.ceil(Math.log10(max));
            double[] t = new double[to - from + 1];
            for (int i = 0; i < t.length; i++) {
                t[i] = Math.pow(10, from + i);
            }
            return t;
        }
        double[] t = new double[5];
        for (int i = 0; i < 5; i++) {
            t[i] = min + (max - min) * i / 4;
        }
        return t;
    }

    private static double niceTop(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v * 1.1) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static void legend(StringBuilder b, List<String[]> entries) {
        int y = TOP + 6;
        for (String[] e : entries) {
            int x = W - RIGHT + 12;
            b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='6'%s/>",
                    x, y, x + 18, y, e[1], e[2].equals("dashed") ? " stroke-dasharray='4 2'" : ""));
            b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10'>%s</text>", x + 24, y + 4, Format.html(e[0])));
            y += 16;
        }
    }
}
