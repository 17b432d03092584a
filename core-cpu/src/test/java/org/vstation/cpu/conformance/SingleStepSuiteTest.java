package org.vstation.cpu.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the 80286 hardware captures against the CPU (data in shared/testdata/singlestep-286). */
class SingleStepSuiteTest {

    /** Finds the test data: -Dvstation.singlestep.dir, or shared/testdata next to the repository or above it. */
    static Path dataFolder() {
        String configured = System.getProperty("vstation.singlestep.dir");
        if (configured != null) return Path.of(configured);
        Path start = Path.of(System.getProperty("vstation.repo", ".")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/testdata/singlestep-286/v1_real_mode");
            if (Files.isDirectory(candidate)) return candidate;
        }
        return null;
    }

    private static long listedIn(String testSet) {
        return SingleStepSuite.KNOWN_DIFFERENCES.keySet().stream().filter(key -> key.startsWith(testSet + "#")).count();
    }

    /** The verification can fail: a listed test checked against another reason, or an unlisted one against its reason, does not pass. */
    @Test
    void verificationRejectsTheWrongI686Outcome() throws IOException {
        Path folder = dataFolder();
        assumeTrue(folder != null, "singlestep-286 test data not found");
        SingleStepSuite suite = new SingleStepSuite();
        MooFile.Test lockedAdd = test(folder, "02", 89);
        assertNull(suite.verifyDifference(lockedAdd, KnownDifference.LOCK, 0xFFFF));
        assertTrue(suite.verifyDifference(lockedAdd, KnownDifference.SS_LIMIT, 0xFFFF).contains("predicts #UD"));
        MooFile.Test popEsPastLimit = test(folder, "07", 52);
        assertNull(suite.verifyDifference(popEsPastLimit, KnownDifference.SS_LIMIT, 0xFFFF));
        assertTrue(suite.verifyDifference(popEsPastLimit, KnownDifference.LOCK, 0xFFFF).contains("predicts #SS"));
        MooFile.Test plainAdd = test(folder, "02", 0);
        assertTrue(suite.verifyDifference(plainAdd, KnownDifference.LOCK, 0xFFFF).contains("does not model"));
        assertNotNull(suite.runTest(lockedAdd, 0xFFFF), "the 286 executed the locked ADD; an i686 must not");
    }

    private static MooFile.Test test(Path folder, String testSet, int index) throws IOException {
        return MooFile.read(folder.resolve(testSet + ".MOO.gz")).stream().filter(t -> t.index() == index).findFirst().orElseThrow();
    }

    @Test
    void commandPrintsPerFileAndTotals() {
        Path folder = dataFolder();
        assumeTrue(folder != null, "singlestep-286 test data not found");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = SingleStepSuite.run(List.of(folder.resolve("40.MOO.gz"), folder.resolve("02.MOO.gz")),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String[] lines = buffer.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals("40.MOO.gz: 250/250 passed (100.0%): 250 match the 286, 0 verified i686 differences, 0 failed", lines[0]);
        long listed = listedIn("02");
        assertEquals(String.format("02.MOO.gz: 250/250 passed (100.0%%): %d match the 286, %d verified i686 differences, 0 failed",
                250 - listed, listed), lines[1]);
        assertEquals(String.format("500 passed (%d as verified i686 differences), 0 failed", listed), lines[lines.length - 1]);
        assertEquals(0, exit);
    }

    @Test
    void missingInputIsReportedNotThrown() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = SingleStepSuite.run(List.of(Path.of("/nonexistent/moo")), new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("no such file"));
    }

    /** Issue #3, Done-when 1: the whole folder, about 5 s of CPU time. */
    @Test
    void wholeRealModeFolder() throws IOException {
        Path folder = dataFolder();
        assumeTrue(folder != null, "singlestep-286 test data not found");
        SingleStepSuite suite = new SingleStepSuite();
        int passed = 0;
        int total = 0;
        int verified = 0;
        List<String> failures = new ArrayList<>();
        Set<KnownDifference> reasons = EnumSet.noneOf(KnownDifference.class);
        for (Path file : SingleStepSuite.collect(List.of(folder))) {
            SingleStepSuite.FileResult result = suite.runFile(file);
            passed += result.passed();
            total += result.total();
            verified += result.verifiedDifferences();
            assertTrue(result.passed() >= 0.97 * result.total(), file + ": " + result.failures());
            for (String failure : result.failures()) failures.add(file.getFileName() + " " + failure);
            listedReasons(SingleStepSuite.testSet(file), reasons);
        }
        assertEquals(EnumSet.allOf(KnownDifference.class), reasons, "every reason occurs in the list");
        assertTrue(passed >= 0.995 * total, "only " + passed + " of " + total + " pass; failures: " + failures);
        assertEquals(SingleStepSuite.KNOWN_DIFFERENCES.size(), verified, "every listed difference is verified; failures: " + failures);
    }

    private static void listedReasons(String testSet, Set<KnownDifference> reasons) {
        SingleStepSuite.KNOWN_DIFFERENCES.forEach((key, reason) -> {
            if (key.startsWith(testSet + "#")) reasons.add(reason);
        });
    }
}
