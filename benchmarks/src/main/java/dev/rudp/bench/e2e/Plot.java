package dev.rudp.bench.e2e;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Draws throughput against loss, one line per transport, for the simulated profiles of one RTT and no
 * rate limit, with plain Java2D (headless). A filled marker is a completed transfer; a hollow one a
 * timeout, drawn at the rate achieved until the timeout.
 */
final class Plot {
    private static final int W = 800;
    private static final int H = 500;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)};

    private Plot() {
    }

    /** Writes one PNG per RTT that has at least two loss rates; returns the files written. */
    static List<Path> throughputVsLoss(List<Outcome> outcomes, List<String> transports, Path dir, String stamp)
            throws IOException {
        TreeSet<Long> rtts = new TreeSet<>();
        for (Outcome o : outcomes) {
            if (o.profile().simulated() && o.profile().rateMbit() == 0) {
                rtts.add(o.profile().rttMillis());
            }
        }
        List<Path> files = new ArrayList<>();
        for (long rtt : rtts) {
            List<Outcome> points = new ArrayList<>();
            TreeSet<Double> losses = new TreeSet<>();
            for (Outcome o : outcomes) {
                Profile p = o.profile();
                if (p.simulated() && p.rateMbit() == 0 && p.rttMillis() == rtt && o.hasRate()) {
                    points.add(o);
                    losses.add(p.lossPercent());
                }
            }
            if (losses.size() < 2) {
                continue;
            }
            Path file = dir.resolve("throughput-vs-loss-rtt" + rtt + "ms-" + stamp + ".png");
            draw(points, transports, losses.last(), "Throughput vs loss, RTT " + rtt + " ms (simulator)", file);
            files.add(file);
        }
        return files;
    }

    private static void draw(List<Outcome> points, List<String> transports, double maxLoss, String title, Path file)
            throws IOException {
        double maxRate = 1;
        for (Outcome o : points) {
            maxRate = Math.max(maxRate, o.mbPerSecond());
        }
        maxRate = niceCeiling(maxRate);
        double xMax = maxLoss <= 0 ? 1 : maxLoss;
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int pw = W - LEFT - RIGHT;
            int ph = H - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(0xdddddd));
            for (int i = 0; i <= 5; i++) {
                int y = TOP + ph - ph * i / 5;
                g.drawLine(LEFT, y, LEFT + pw, y);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            for (int i = 0; i <= 5; i++) {
                int y = TOP + ph - ph * i / 5;
                String label = String.format(Locale.ROOT, "%.0f", maxRate * i / 5);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
            }
            for (double loss : lossTicks(points)) {
                int x = LEFT + (int) Math.round(pw * loss / xMax);
                g.drawLine(x, TOP + ph, x, TOP + ph + 4);
                String label = new java.math.BigDecimal(Double.toString(loss)).stripTrailingZeros().toPlainString() + "%";
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 18);
            }
            g.drawString("loss per direction", LEFT + pw / 2 - 50, H - 12);
            g.drawString("MB/s", 10, TOP - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, TOP - 15);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int legendY = TOP + 10;
            for (int t = 0; t < transports.size(); t++) {
                String name = transports.get(t);
                Color c = COLORS[t % COLORS.length];
                List<Outcome> line = new ArrayList<>();
                for (Outcome o : points) {
                    if (o.transport().equals(name)) {
                        line.add(o);
                    }
                }
                if (line.isEmpty()) {
                    continue;
                }
                line.sort((a, b) -> Double.compare(a.profile().lossPercent(), b.profile().lossPercent()));
                int[] xs = new int[line.size()];
                int[] ys = new int[line.size()];
                boolean[] ok = new boolean[line.size()];
                for (int i = 0; i < line.size(); i++) {
                    Outcome o = line.get(i);
                    xs[i] = LEFT + (int) Math.round(pw * o.profile().lossPercent() / xMax);
                    ys[i] = TOP + ph - (int) Math.round(ph * o.mbPerSecond() / maxRate);
                    ok[i] = o.ok();
                }
                legendY = dev.rudp.bench.PlotLine.draw(g, xs, ys, ok, c, name, LEFT + pw + 15, legendY);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString("hollow: timeout", LEFT + pw + 15, legendY + 10);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static TreeSet<Double> lossTicks(List<Outcome> points) {
        TreeSet<Double> s = new TreeSet<>();
        for (Outcome o : points) {
            s.add(o.profile().lossPercent());
        }
        return s;
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
