package org.vstation.cpu.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.vstation.cpu.Processor;
import org.vstation.cpu.X86Cpu;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;

/**
 * Runs the SingleStepTests hardware captures (MOO files) against
 * {@link X86Cpu}: for each test it loads the initial registers and memory
 * in real mode, runs until the HLT that follows the instruction, and
 * compares registers, flags (minus the bits the metadata marks undefined)
 * and memory with the 286's result. Tests listed as true 286-vs-i686
 * differences are compared instead with the i686 outcome that
 * {@link RealModeReference} derives from the Intel SDM. Prints one line
 * per file and a final {@code N passed (N as verified i686 differences), N failed}.
 */
public final class SingleStepSuite {
    private static final int RAM_BYTES = 16 << 20;
    /** Generous: a REP string instruction with CX = 0xFFFF counts once per resumed batch. */
    private static final int MAX_STEPS = 200;
    /** FLAGS bits 12-15 read differently on a 286 in real mode (README of the test data). */
    private static final int FLAGS_286_MASK = 0x0FFF;
    /** Unexpected failures printed per file (system property vstation.conformance.details). */
    private static final int FAILURES_SHOWN = Integer.getInteger("vstation.conformance.details", 3);
    /**
     * FS and GS, which the 286 lacks, hold these selectors during every test,
     * so a MOV from them stores a value that shows and a MOV to them changes one.
     */
    static final int FS_SELECTOR = 0x1F5A;
    static final int GS_SELECTOR = 0x2E6B;

    /**
     * Tests where the 286 and an i686 really differ, keyed by "file#index",
     * each with its reason; the resource file explains every reason.
     */
    static final String DIFFERENCES_RESOURCE = "singlestep-286-differences.txt";
    static final Map<String, KnownDifference> KNOWN_DIFFERENCES = loadDifferences();

    private static Map<String, KnownDifference> loadDifferences() {
        Map<String, KnownDifference> differences = new HashMap<>();
        try (InputStream in = SingleStepSuite.class.getResourceAsStream(DIFFERENCES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DIFFERENCES_RESOURCE + " is missing from the class path");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) continue;
                String[] parts = entry.split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalStateException(DIFFERENCES_RESOURCE + ": expected '<file>#<index> <reason>': " + entry);
                }
                differences.put(parts[0], KnownDifference.valueOf(parts[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(differences);
    }

    private final PhysicalMemory memory = new PhysicalMemory(RAM_BYTES);
    private final X86Cpu cpu;
    private final Set<String> revoked = new HashSet<>();

    /**
     * Per-file result: tests that match the 286, listed tests that show their
     * documented i686 outcome, and the failures (unlisted mismatches and
     * listed tests that do not show the i686 outcome), described in {@code failures}.
     */
    public record FileResult(String file, int matched286, int verifiedDifferences, int failed, List<String> failures) {
        public int passed() {
            return matched286 + verifiedDifferences;
        }

        public int total() {
            return passed() + failed;
        }
    }

    public SingleStepSuite() {
        IoBus openBus = new IoBus() {
            @Override
            public int read(int port, int size) {
                return size == 4 ? -1 : (1 << (8 * size)) - 1;
            }

            @Override
            public void write(int port, int size, int value) {
            }
        };
        cpu = new X86Cpu(memory, openBus, () -> 0, () -> 0L);
    }

    /**
     * Runs every MOO file named, or found in the folders named; prints per
     * file and the total. Returns 0 when every test matched the 286 or showed
     * its listed i686 difference, 1 otherwise, 2 when the input cannot be read.
     */
    public static int run(List<Path> pathsOrDirs, PrintStream out) {
        SingleStepSuite suite = new SingleStepSuite();
        int matched = 0;
        int verified = 0;
        int failed = 0;
        try {
            for (Path file : collect(pathsOrDirs)) {
                FileResult result = suite.runFile(file);
                matched += result.matched286();
                verified += result.verifiedDifferences();
                failed += result.failed();
                out.printf("%s: %d/%d passed (%.1f%%): %d match the 286, %d verified i686 differences, %d failed%n",
                        result.file(), result.passed(), result.total(), percent(result.passed(), result.total()),
                        result.matched286(), result.verifiedDifferences(), result.failed());
                for (String failure : result.failures().subList(0, Math.min(FAILURES_SHOWN, result.failures().size()))) {
                    out.println("  " + failure);
                }
            }
        } catch (IOException | RuntimeException e) {
            out.println("cannot run conformance tests: " + e.getMessage());
            return 2;
        }
        int total = matched + verified + failed;
        out.printf("%d match the 286 (%.2f%%), %d show the i686 behaviour listed in %s, %d failed%n",
                matched, percent(matched, total), verified, DIFFERENCES_RESOURCE, failed);
        out.printf("%d passed (%d as verified i686 differences), %d failed%n", matched + verified, verified, failed);
        return failed == 0 ? 0 : 1;
    }

    private static double percent(int part, int total) {
        return total == 0 ? 100.0 : 100.0 * part / total;
    }

    static List<Path> collect(List<Path> pathsOrDirs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : pathsOrDirs) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> listing = Files.list(path)) {
                    listing.filter(p -> p.getFileName().toString().matches("(?i).*\\.moo(\\.gz)?"))
                            .sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new IOException("no such file or folder: " + path);
            }
        }
        return files;
    }

    static String testSet(Path file) {
        return file.getFileName().toString().replaceFirst("(?i)\\.moo(\\.gz)?$", "");
    }

    public FileResult runFile(Path file) throws IOException {
        String testSet = testSet(file);
        int flagsMask = flagsMask(file.toAbsolutePath().getParent(), testSet);
        loadRevocations(file.toAbsolutePath().getParent());
        int matched = 0;
        int verified = 0;
        List<String> failures = new ArrayList<>();
        for (MooFile.Test test : MooFile.read(file)) {
            if (revoked.contains(test.hash())) {
                continue;
            }
            KnownDifference difference = KNOWN_DIFFERENCES.get(testSet + "#" + test.index());
            if (difference == null) {
                String mismatch = runTest(test, flagsMask);
                if (mismatch == null) {
                    matched++;
                } else {
                    failures.add("#" + test.index() + " " + test.name() + ": " + mismatch);
                }
            } else {
                String problem = verifyDifference(test, difference, flagsMask);
                if (problem == null) {
                    verified++;
                } else {
                    failures.add("#" + test.index() + " " + test.name() + ": listed as " + difference + ", but " + problem);
                }
            }
        }
        return new FileResult(file.getFileName().toString(), matched, verified, failures.size(), failures);
    }

    /** Runs one test against the 286's result; returns null when it matches, otherwise what differed. */
    String runTest(MooFile.Test test, int flagsMask) {
        int mask = flagsMask & FLAGS_286_MASK;
        return runWith(test, Map.of(), Set.of(), () -> compare(test, mask, execute()));
    }

    /**
     * Runs a listed test against the i686 outcome of {@link RealModeReference};
     * returns null when the CPU shows it, otherwise what differed.
     */
    String verifyDifference(MooFile.Test test, KnownDifference difference, int flagsMask) {
        RealModeReference.Outcome outcome;
        try {
            outcome = RealModeReference.run(test, FS_SELECTOR, GS_SELECTOR, flagsMask);
        } catch (RealModeReference.NotModelled e) {
            return "the i686 reference does not model it: " + e.getMessage();
        }
        String disagreement = difference.disagreement(outcome);
        if (disagreement != null) return disagreement;
        return runWith(test, outcome.setup(), outcome.memory().keySet(), () -> {
            String runError = execute();
            return runError != null ? runError : compareWithReference(test, outcome);
        });
    }

    /** Places the test's memory and the extra bytes, runs {@code body}, then clears every byte the test may have touched. */
    private String runWith(MooFile.Test test, Map<Long, Integer> extra, Set<Long> alsoTouched, Supplier<String> body) {
        MooFile.State initial = test.initial();
        try {
            for (int i = 0; i < initial.ramAddresses().length; i++) {
                memory.write8(initial.ramAddresses()[i], initial.ramValues()[i]);
            }
            extra.forEach((address, value) -> memory.write8(address, value));
            setUp(initial.registers());
            return body.get();
        } finally {
            for (long address : initial.ramAddresses()) memory.write8(address, 0);
            for (long address : test.expected().ramAddresses()) memory.write8(address, 0);
            for (long address : extra.keySet()) memory.write8(address, 0);
            for (long address : alsoTouched) memory.write8(address, 0);
        }
    }

    private void setUp(int[] registers) {
        cpu.reset();
        cpu.setRegister(X86Cpu.REG_EAX, registers[0]);
        cpu.setRegister(X86Cpu.REG_EBX, registers[1]);
        cpu.setRegister(X86Cpu.REG_ECX, registers[2]);
        cpu.setRegister(X86Cpu.REG_EDX, registers[3]);
        cpu.setRealModeSegment(X86Cpu.SEG_CS, registers[4]);
        cpu.setRealModeSegment(X86Cpu.SEG_SS, registers[5]);
        cpu.setRealModeSegment(X86Cpu.SEG_DS, registers[6]);
        cpu.setRealModeSegment(X86Cpu.SEG_ES, registers[7]);
        cpu.setRealModeSegment(X86Cpu.SEG_FS, FS_SELECTOR);
        cpu.setRealModeSegment(X86Cpu.SEG_GS, GS_SELECTOR);
        cpu.setRegister(X86Cpu.REG_ESP, registers[8]);
        cpu.setRegister(X86Cpu.REG_EBP, registers[9]);
        cpu.setRegister(X86Cpu.REG_ESI, registers[10]);
        cpu.setRegister(X86Cpu.REG_EDI, registers[11]);
        cpu.setEip(registers[12]);
        cpu.setEflags(registers[13]);
        cpu.setDescriptorTable(true, 0, 0x3FF);
    }

    private String execute() {
        for (int step = 0; step < MAX_STEPS; step++) {
            Processor.StopReason reason;
            try {
                reason = cpu.run(1);
            } catch (RuntimeException e) {
                return "emulator error: " + e.getMessage();
            }
            switch (reason) {
                case HALTED -> {
                    return null;
                }
                case SHUTDOWN -> {
                    return "shutdown (triple fault)";
                }
                default -> { }
            }
        }
        return "no HLT reached";
    }

    private int[] actualRegisters() {
        return new int[] {
            cpu.register(X86Cpu.REG_EAX), cpu.register(X86Cpu.REG_EBX), cpu.register(X86Cpu.REG_ECX),
            cpu.register(X86Cpu.REG_EDX), cpu.segmentSelector(X86Cpu.SEG_CS), cpu.segmentSelector(X86Cpu.SEG_SS),
            cpu.segmentSelector(X86Cpu.SEG_DS), cpu.segmentSelector(X86Cpu.SEG_ES), cpu.register(X86Cpu.REG_ESP),
            cpu.register(X86Cpu.REG_EBP), cpu.register(X86Cpu.REG_ESI), cpu.register(X86Cpu.REG_EDI), cpu.eip(),
            cpu.getEflags()
        };
    }

    /** Appends the registers that differ from {@code expected} (FLAGS under {@code flagsMask}). */
    private void compareRegisters(int[] expected, int flagsMask, StringBuilder diff) {
        int[] actual = actualRegisters();
        for (int r = 0; r < MooFile.REGISTER_COUNT; r++) {
            int want = expected[r];
            int got = actual[r];
            if (r == MooFile.FLAGS) {
                want &= flagsMask;
                got &= flagsMask;
            } else if (Integer.compareUnsigned(got, 0xFFFF) > 0) {
                diff.append(String.format(" %s=%x(upper bits set)", MooFile.REGISTER_NAMES[r], got));
                continue;
            }
            if (want != got) {
                diff.append(String.format(" %s=%04x want %04x", MooFile.REGISTER_NAMES[r], got, want));
            }
        }
    }

    /** Appends a difference when the byte at {@code address} is not {@code want} under {@code mask}. */
    private void compareByte(long address, int want, int mask, StringBuilder diff) {
        int got = memory.read8(address) & mask;
        if (got != (want & mask)) {
            diff.append(String.format(" [%05x]=%02x want %02x", address, got, want & mask));
        }
    }

    private String compare(MooFile.Test test, int flagsMask, String runError) {
        if (runError != null) {
            return runError;
        }
        MooFile.State initial = test.initial();
        MooFile.State expected = test.expected();
        int[] want = initial.registers().clone();
        for (int r = 0; r < MooFile.REGISTER_COUNT; r++) {
            if (expected.has(r)) want[r] = expected.registers()[r];
        }
        StringBuilder diff = new StringBuilder();
        compareRegisters(want, flagsMask, diff);
        long flagsAddress = pushedFlagsAddress(test);
        int imageMask = test.exceptionFlagsAddress() >= 0 ? flagsMask : FLAGS_286_MASK;
        for (int i = 0; i < expected.ramAddresses().length; i++) {
            long address = expected.ramAddresses()[i];
            compareByte(address, expected.ramValues()[i], flagsImageMask(address, flagsAddress, imageMask), diff);
        }
        Set<Long> changed = new HashSet<>();
        for (long address : expected.ramAddresses()) changed.add(address);
        for (int i = 0; i < initial.ramAddresses().length; i++) {
            long address = initial.ramAddresses()[i];
            if (!changed.contains(address) && memory.read8(address) != initial.ramValues()[i]) {
                diff.append(String.format(" [%05x]=%02x should stay %02x", address, memory.read8(address), initial.ramValues()[i]));
            }
        }
        return diff.isEmpty() ? null : diff.toString().trim();
    }

    /**
     * Compares with the reference's i686 outcome: all registers, FS and GS,
     * every byte the reference touched, and every byte the test's initial
     * state or the 286's result names (those must hold their initial value
     * unless the reference wrote them).
     */
    private String compareWithReference(MooFile.Test test, RealModeReference.Outcome outcome) {
        StringBuilder diff = new StringBuilder();
        compareRegisters(outcome.registers(), outcome.flagsMask(), diff);
        if (cpu.segmentSelector(X86Cpu.SEG_FS) != outcome.fs()) {
            diff.append(String.format(" fs=%04x want %04x", cpu.segmentSelector(X86Cpu.SEG_FS), outcome.fs()));
        }
        if (cpu.segmentSelector(X86Cpu.SEG_GS) != outcome.gs()) {
            diff.append(String.format(" gs=%04x want %04x", cpu.segmentSelector(X86Cpu.SEG_GS), outcome.gs()));
        }
        Map<Long, Integer> want = new HashMap<>();
        for (long address : test.expected().ramAddresses()) want.put(address, 0);
        MooFile.State initial = test.initial();
        for (int i = 0; i < initial.ramAddresses().length; i++) want.put(initial.ramAddresses()[i], initial.ramValues()[i]);
        want.putAll(outcome.memory());
        want.forEach((address, value) ->
                compareByte(address, value, flagsImageMask(address, outcome.pushedFlagsAddress(), FLAGS_286_MASK), diff));
        return diff.isEmpty() ? null : diff.toString().trim();
    }

    /** The mask for the byte at {@code address}: {@code imageMask} on the two bytes of a pushed FLAGS image, all bits elsewhere. */
    private static int flagsImageMask(long address, long flagsAddress, int imageMask) {
        if (flagsAddress >= 0 && address == flagsAddress) return imageMask & 0xFF;
        if (flagsAddress >= 0 && address == flagsAddress + 1) return (imageMask >>> 8) & 0xFF;
        return 0xFF;
    }

    /**
     * Physical address of the FLAGS image the instruction pushed, or -1: an
     * exception or INT frame (IP, CS, FLAGS) below the final SP, or PUSHF's
     * word at the final SP. Computed from the expected final SS:SP because the
     * EXCP chunk's address is word-aligned when SP is odd. The image gets the
     * same mask as the FLAGS register (bits 12-15 read differently on a 286).
     */
    private static long pushedFlagsAddress(MooFile.Test test) {
        MooFile.State initial = test.initial();
        MooFile.State expected = test.expected();
        int ss = expected.has(5) ? expected.registers()[5] : initial.registers()[5];
        int sp = expected.has(8) ? expected.registers()[8] : initial.registers()[8];
        int opcode = firstOpcode(test.bytes());
        int offset;
        if (test.exceptionFlagsAddress() >= 0 || ((opcode == 0xCC || opcode == 0xCD || opcode == 0xCE)
                && ((initial.registers()[8] - sp) & 0xFFFF) == 6)) {
            offset = 4;
        } else if (opcode == 0x9C) {
            offset = 0;
        } else {
            return -1;
        }
        return ((long) ss << 4) + ((sp + offset) & 0xFFFF);
    }

    private static int firstOpcode(byte[] bytes) {
        for (byte b : bytes) {
            int value = b & 0xFF;
            boolean prefix = value == 0x26 || value == 0x2E || value == 0x36 || value == 0x3E || value == 0xF0
                    || value == 0xF2 || value == 0xF3;
            if (!prefix) return value;
        }
        return -1;
    }

    // ---- metadata ---------------------------------------------------------------------------

    private Path metadataFolder;
    private Map<String, Object> opcodes = Map.of();

    /** The flags-mask of metadata.json for a file such as "D3.4" (opcode D3, reg 4); all ones when absent. */
    @SuppressWarnings("unchecked")
    private int flagsMask(Path folder, String testSet) throws IOException {
        if (!folder.equals(metadataFolder)) {
            metadataFolder = folder;
            Path metadata = folder.resolve("metadata.json");
            opcodes = Map.of();
            if (Files.isRegularFile(metadata)) {
                Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(metadata));
                opcodes = (Map<String, Object>) root.getOrDefault("opcodes", Map.of());
            }
        }
        String[] parts = testSet.toUpperCase().split("\\.");
        Object entry = opcodes.get(parts[0]);
        if (entry instanceof Map<?, ?> map && parts.length > 1 && map.get("reg") instanceof Map<?, ?> regs) {
            entry = regs.get(parts[1]);
        }
        if (entry instanceof Map<?, ?> map && map.get("flags-mask") instanceof Number mask) {
            return mask.intValue();
        }
        return 0xFFFF;
    }

    private void loadRevocations(Path folder) throws IOException {
        for (Path candidate : new Path[] {folder.resolve("revocation_list.txt"), folder.resolveSibling("revocation_list.txt")}) {
            if (candidate != null && Files.isRegularFile(candidate)) {
                for (String line : Files.readAllLines(candidate)) {
                    String hash = line.trim();
                    if (!hash.isEmpty() && !hash.startsWith("#")) revoked.add(hash.toLowerCase());
                }
            }
        }
    }

    public static void main(String[] args) {
        List<Path> paths = new ArrayList<>();
        for (String arg : args) paths.add(Path.of(arg));
        System.exit(run(paths, System.out));
    }
}
