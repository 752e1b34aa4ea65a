package dev.rudp.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Repeated runs of one transfer, as {@code --repeat N} makes them: the run a table reports and the
 * spread of all of them. On these shared 2-core machines one transfer's rate can differ by 2x from
 * the next (Netty QUIC 591-1137 MB/s, kernel TCP BBR at 5% loss 71-257 MB/s in runs minutes apart),
 * so a single run can decide a ratio by luck. The reported run is the median by rate (the lower of
 * the two middle ones for an even count); a failed or timed-out run is reported instead of it, since
 * a median must not hide a failure.
 *
 * @param reported the run the table shows
 * @param runs how many runs there were
 * @param minRate lowest rate among them (MB/s)
 * @param maxRate highest rate among them (MB/s)
 * @param <T> one run's result
 */
public record Repeats<T>(T reported, int runs, double minRate, double maxRate) {

    /**
     * @param runs at least one result
     * @param ok whether a run completed
     * @param rate a run's rate in MB/s
     */
    public static <T> Repeats<T> of(List<T> runs, Predicate<T> ok, ToDoubleFunction<T> rate) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        double min = Double.MAX_VALUE;
        double max = 0;
        for (T r : runs) {
            min = Math.min(min, rate.applyAsDouble(r));
            max = Math.max(max, rate.applyAsDouble(r));
        }
        for (T r : runs) {
            if (!ok.test(r)) {
                return new Repeats<>(r, runs.size(), min, max);
            }
        }
        List<T> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(rate));
        return new Repeats<>(sorted.get((sorted.size() - 1) / 2), runs.size(), min, max);
    }

    /** One run of one job: {@code round} counts from 1 to the number of repeats. */
    @FunctionalInterface
    public interface Run<J, T> {
        T run(J job, int round) throws InterruptedException;
    }

    /**
     * Runs every job {@code repeat} times, round-robin (job 1, job 2, ..., then again), so that a slow
     * spell of the machine does not fall on one job's runs only; returns each job's {@link #of} in
     * job order.
     */
    public static <J, T> List<Repeats<T>> roundRobin(List<J> jobs, int repeat, Run<J, T> run, Predicate<T> ok,
            ToDoubleFunction<T> rate) throws InterruptedException {
        List<List<T>> runs = new ArrayList<>();
        jobs.forEach(j -> runs.add(new ArrayList<>()));
        for (int round = 1; round <= repeat; round++) {
            for (int i = 0; i < jobs.size(); i++) {
                runs.get(i).add(run.run(jobs.get(i), round));
            }
        }
        List<Repeats<T>> result = new ArrayList<>();
        for (List<T> each : runs) {
            result.add(of(each, ok, rate));
        }
        return result;
    }

    /** The table cell: {@code min-max} MB/s over the runs, or {@code -} for a single run. */
    public String spread() {
        return runs < 2 ? "-" : String.format(Locale.ROOT, "%.1f-%.1f (%d)", minRate, maxRate, runs);
    }
}
