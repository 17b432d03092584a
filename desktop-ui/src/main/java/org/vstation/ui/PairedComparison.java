package org.vstation.ui;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Whether one configuration is slower than another, from runs made in interleaved pairs (one of
 * each, back to back, so a change in the host's load hits both runs of a pair alike). The
 * difference is the median over the pairs of (b / a - 1); its 95 % confidence interval comes from
 * a bootstrap over the pairs (percentile method, a fixed seed so a report is reproducible). Medians
 * keep one run that the host starved from moving the result.
 */
record PairedComparison(int pairs, double medianA, double medianB, double differencePercent, double lowPercent,
        double highPercent) {
    /** Below this a bootstrap interval of a median says little (with one pair it has no width at all). */
    static final int MIN_PAIRS = 5;
    private static final int RESAMPLES = 4000;
    private static final long SEED = 0x5EED_C0DEL;

    static PairedComparison of(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("needs pairs of runs, got " + a.length + " and " + b.length);
        }
        double[] differences = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            differences[i] = 100 * (b[i] / a[i] - 1);
        }
        SplittableRandom random = new SplittableRandom(SEED);
        double[] resampled = new double[differences.length];
        double[] medians = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < resampled.length; i++) {
                resampled[i] = differences[random.nextInt(differences.length)];
            }
            medians[r] = median(resampled);
        }
        Arrays.sort(medians);
        return new PairedComparison(a.length, median(a), median(b), median(differences),
                medians[(int) (0.025 * RESAMPLES)], medians[(int) (0.975 * RESAMPLES) - 1]);
    }

    /** Half the width of the confidence interval: how far apart the two could land by chance. */
    double noisePercent() {
        return (highPercent - lowPercent) / 2;
    }

    /**
     * "not measurably slower" when the interval reaches up to zero or above and is at most
     * {@code noiseLimitPercent} either side; "slower by X%" when the whole interval is below zero;
     * otherwise, or with fewer than {@link #MIN_PAIRS} pairs, no verdict.
     */
    String verdict(double noiseLimitPercent) {
        if (pairs < MIN_PAIRS) {
            return String.format(Locale.ROOT, "too few pairs to tell (difference %+.1f%% from %d; a verdict needs"
                    + " %d or more)", differencePercent, pairs, MIN_PAIRS);
        }
        if (highPercent < 0) {
            return String.format(Locale.ROOT, "slower by %.1f%% (95%% interval %.1f%% to %.1f%%)",
                    -differencePercent, -highPercent, -lowPercent);
        }
        if (noisePercent() > noiseLimitPercent) {
            return String.format(Locale.ROOT, "too noisy to tell (difference %+.1f%%, noise +-%.1f%% is above"
                    + " +-%.0f%%): rerun when the host is quieter or with more runs", differencePercent,
                    noisePercent(), noiseLimitPercent);
        }
        return String.format(Locale.ROOT, "not measurably slower (difference %+.1f%% within noise +-%.1f%%)",
                differencePercent, noisePercent());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
