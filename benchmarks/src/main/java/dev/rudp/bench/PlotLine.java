package dev.rudp.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;

/**
 * One line of the runners' throughput plots ({@code e2e.Plot}, {@code peers.SweepPlot}): its points
 * joined in order, a filled marker where the run finished and a hollow one where it timed out (at its
 * rate until then), and its legend entry.
 */
public final class PlotLine {
    private PlotLine() {
    }

    /**
     * Draws the points {@code (xs[i], ys[i])} in {@code color} and the legend entry {@code name} at
     * {@code (legendX, legendY)}; returns the legend's next line.
     */
    public static int draw(Graphics2D g, int[] xs, int[] ys, boolean[] finished, Color color, String name,
            int legendX, int legendY) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) {
                g.drawLine(xs[i - 1], ys[i - 1], xs[i], ys[i]);
            }
            if (finished[i]) {
                g.fillOval(xs[i] - 4, ys[i] - 4, 9, 9);
            } else {
                g.drawOval(xs[i] - 4, ys[i] - 4, 9, 9);
            }
        }
        g.fillRect(legendX, legendY - 8, 14, 4);
        g.setColor(Color.BLACK);
        g.drawString(name, legendX + 20, legendY - 2);
        return legendY + 18;
    }
}
