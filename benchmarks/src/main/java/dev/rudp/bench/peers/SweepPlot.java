package dev.rudp.bench.peers;

import dev.rudp.bench.netns.NetProfile;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * The sweep's two plots, one line per tool, plain Java2D (headless): throughput against loss at the
 * sweep's RTT of the loss series (20 ms), and against RTT at its loss of the RTT series (0.1 %). The x
 * axis is by category (the sweep's values are not evenly spaced: 0, 0.1, 1, 3 %). A filled marker is
 * a completed transfer, a hollow one a timeout drawn at its rate until then; a failed row has no marker.
 */
final class SweepPlot {
    private static final int W = 860;
    private static final int H = 500;
    private static final int LEFT = 70;
    private static final int RIGHT = 230;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    /** The RTT of the loss series and the loss of the RTT series. */
    static final long LOSS_SERIES_RTT = 20;
    static final double RTT_SERIES_LOSS = 0.1;

    private SweepPlot() {
    }

    /** Writes the plots that have at least two points on the x axis; returns their files. */
    static List<Path> draw(List<ToolRow> rows, Path dir, String stamp) throws IOException {
        List<Path> out = new ArrayList<>();
        List<ToolRow> lossSeries = new ArrayList<>();
        List<ToolRow> rttSeries = new ArrayList<>();
        for (ToolRow r : rows) {
            NetProfile p = NetProfile.parse(r.profile());
            if (p.rttMillis() == LOSS_SERIES_RTT) {
                lossSeries.add(r);
            }
            if (p.lossPercent() == RTT_SERIES_LOSS) {
                rttSeries.add(r);
            }
        }
        Path loss = dir.resolve("peers-throughput-vs-loss-" + stamp + ".png");
        if (plot(lossSeries, r -> NetProfile.parse(r.profile()).lossPercent(), "loss per direction (%)",
                "Throughput vs loss, RTT " + LOSS_SERIES_RTT + " ms (linkemu.py)", loss)) {
            out.add(loss);
        }
        Path rtt = dir.resolve("peers-throughput-vs-rtt-" + stamp + ".png");
        if (plot(rttSeries, r -> NetProfile.parse(r.profile()).rttMillis(), "RTT (ms)",
                "Throughput vs RTT, loss " + RTT_SERIES_LOSS + " % each way (linkemu.py)", rtt)) {
            out.add(rtt);
        }
        return out;
    }

    private static boolean plot(List<ToolRow> rows, ToDoubleFunction<ToolRow> x, String xLabel, String title, Path file)
            throws IOException {
        TreeSet<Double> xs = new TreeSet<>();
        Set<String> tools = new LinkedHashSet<>();
        double maxRate = 1;
        for (ToolRow r : rows) {
            xs.add(x.applyAsDouble(r));
            tools.add(r.tool());
            maxRate = Math.max(maxRate, r.hasRate() ? r.mbPerSecond() : 0);
        }
        if (xs.size() < 2) {
            return false;
        }
        maxRate = niceCeiling(maxRate);
        List<Double> ticks = new ArrayList<>(xs);
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
                g.drawLine(LEFT, TOP + ph - ph * i / 5, LEFT + pw, TOP + ph - ph * i / 5);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            for (int i = 0; i <= 5; i++) {
                String label = String.format(Locale.ROOT, "%.0f", maxRate * i / 5);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), TOP + ph - ph * i / 5 + 4);
            }
            for (int i = 0; i < ticks.size(); i++) {
                int px = xPos(i, ticks.size(), pw);
                g.drawLine(px, TOP + ph, px, TOP + ph + 4);
                String label = new BigDecimal(Double.toString(ticks.get(i))).stripTrailingZeros().toPlainString();
                g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 18);
            }
            g.drawString(xLabel, LEFT + pw / 2 - 50, H - 12);
            g.drawString("MB/s", 10, TOP - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, TOP - 15);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int legendY = TOP + 10;
            int t = 0;
            for (String tool : tools) {
                Color c = COLORS[t++ % COLORS.length];
                List<ToolRow> line = new ArrayList<>();
                for (ToolRow r : rows) {
                    if (r.tool().equals(tool) && r.hasRate()) {
                        line.add(r);
                    }
                }
                line.sort((a, b) -> Double.compare(x.applyAsDouble(a), x.applyAsDouble(b)));
                int[] px = new int[line.size()];
                int[] py = new int[line.size()];
                boolean[] ok = new boolean[line.size()];
                for (int i = 0; i < line.size(); i++) {
                    ToolRow r = line.get(i);
                    px[i] = xPos(ticks.indexOf(x.applyAsDouble(r)), ticks.size(), pw);
                    py[i] = TOP + ph - (int) Math.round(ph * r.mbPerSecond() / maxRate);
                    ok[i] = r.ok();
                }
                legendY = dev.rudp.bench.PlotLine.draw(g, px, py, ok, c, tool, LEFT + pw + 15, legendY);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString("hollow: timeout (rate until then)", LEFT + pw + 15, legendY + 10);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
        return true;
    }

    private static int xPos(int index, int count, int pw) {
        return LEFT + (int) Math.round(pw * (index + 0.5) / count);
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
