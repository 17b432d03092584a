package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The console benchmark's verdict from interleaved pairs of runs. */
class PairedComparisonTest {

    @Test
    void aSmallDifferenceInsideLittleNoiseIsNotMeasurablySlower() {
        double[] headless = {50.0, 48.0, 51.0, 49.5, 50.5, 47.0, 52.0, 50.0};
        double[] console = {50.2, 47.7, 50.9, 49.9, 50.1, 47.2, 51.6, 50.1};
        PairedComparison comparison = PairedComparison.of(headless, console);
        assertTrue(comparison.lowPercent() <= 0 && comparison.highPercent() >= 0, comparison.toString());
        assertTrue(comparison.noisePercent() < 1, comparison.toString());
        assertTrue(comparison.verdict(5).startsWith("not measurably slower (difference "), comparison.verdict(5));
    }

    @Test
    void aConsistentLossIsReportedWithItsSize() {
        double[] headless = {50, 40, 45, 52, 38, 47};
        double[] console = {45, 36, 40.5, 46.8, 34.2, 42.3}; // 10 % less in every pair
        PairedComparison comparison = PairedComparison.of(headless, console);
        assertEquals(-10, comparison.differencePercent(), 1e-9);
        assertEquals("slower by 10.0% (95% interval 10.0% to 10.0%)", comparison.verdict(5));
    }

    @Test
    void pairsThatScatterWidelyGiveNoVerdict() {
        double[] headless = {50, 50, 50, 50, 50, 50};
        double[] console = {40, 60, 45, 58, 42, 61};
        PairedComparison comparison = PairedComparison.of(headless, console);
        assertTrue(comparison.noisePercent() > 5, comparison.toString());
        assertTrue(comparison.verdict(5).startsWith("too noisy to tell"), comparison.verdict(5));
    }

    @Test
    void theDriftOfTheHostCancelsWithinPairs() {
        // The host slows down run after run; each console run is 1 % behind its headless partner.
        double[] headless = {60, 54, 48, 42, 36, 30};
        double[] console = {59.4, 53.46, 47.52, 41.58, 35.64, 29.7};
        PairedComparison comparison = PairedComparison.of(headless, console);
        assertEquals(-1, comparison.differencePercent(), 1e-9);
        assertTrue(comparison.noisePercent() < 1e-6, comparison.toString());
    }

    @Test
    void fewPairsGiveNoVerdictHoweverCloseTheyAgree() {
        PairedComparison comparison = PairedComparison.of(new double[] {50, 50, 50, 50}, new double[] {45, 45, 45, 45});
        assertEquals(0, comparison.noisePercent());
        assertEquals("too few pairs to tell (difference -10.0% from 4; a verdict needs 5 or more)",
                comparison.verdict(5));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2, PairedComparison.median(new double[] {3, 1, 2}));
        assertEquals(2.5, PairedComparison.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void runsMustComeInPairs() {
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(new double[] {1, 2}, new double[] {1}));
    }
}
