package org.vstation.cpu.fpu;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.vstation.fixtures.x87.X87Oracle;
import org.vstation.fixtures.x87.X87Oracle.MemoryKind;
import org.vstation.fixtures.x87.X87Oracle.Sample;

/**
 * Replays one oracle sample on an X87Fpu through the same instruction sequence the host ran (FNINIT, FLDCW,
 * FLD m80 twice, the preset, FNCLEX, the instruction) and compares the outcome; collects mismatches per operation.
 */
final class OracleReplay {
    private static final int EFLAGS_ARITHMETIC = 0x8D5;

    private final X87Fpu fpu = new X87Fpu();
    private final ArrayFpuContext context = new ArrayFpuContext();
    private final int ulpTolerance;
    final Map<String, Integer> mismatches = new TreeMap<>();
    final Map<String, StringBuilder> examples = new TreeMap<>();
    /** Samples per operation name. */
    final Map<String, Long> perOperation = new TreeMap<>();
    /** Samples per control word rounding and precision control, indexed RC * 4 + PC. */
    final long[] perRoundingAndPrecision = new long[16];
    /** Samples whose registers were within tolerance but not identical to the host's. */
    long inexactResults;
    long replayed;

    OracleReplay(int ulpTolerance) {
        this.ulpTolerance = ulpTolerance;
    }

    void replay(Sample sample) {
        replayed++;
        perOperation.merge(sample.operation().name(), 1L, Long::sum);
        perRoundingAndPrecision[(sample.controlWord() >> 8) & 0xF]++;
        fpu.execute(0xDB, 0xE3, context);
        context.putShort(sample.controlWord());
        fpu.execute(0xD9, 0x28, context);
        if (sample.preset() == X87Oracle.PRESET_FULL) {
            for (int i = 0; i < 6; i++) {
                fpu.execute(0xD9, 0xEE, context);
            }
        }
        context.put(sample.st1());
        fpu.execute(0xDB, 0x28, context);
        context.put(sample.st0());
        fpu.execute(0xDB, 0x28, context);
        int preset = sample.preset();
        if (preset == X87Oracle.PRESET_ST1_EMPTY || preset == X87Oracle.PRESET_BOTH_EMPTY) {
            fpu.execute(0xDD, 0xC1, context); // FFREE ST(1)
        }
        if (preset == X87Oracle.PRESET_ST0_EMPTY || preset == X87Oracle.PRESET_BOTH_EMPTY) {
            fpu.execute(0xDD, 0xC0, context); // FFREE ST(0)
        }
        if ((sample.conditions() & X87Oracle.CONDITIONS_PRESET) != 0) {
            fpu.execute(0xD9, 0x30, context); // FNSTENV
            int cc = sample.conditions();
            int word = (context.readOperand(4, 2) & ~0x4700) | ((cc & 1) << 8) | ((cc & 2) << 8) | ((cc & 4) << 8)
                    | ((cc & 8) << 11);
            context.writeOperand(4, 2, word);
            fpu.execute(0xD9, 0x20, context); // FLDENV
        }
        fpu.execute(0xDB, 0xE2, context);
        context.eflags = sample.eflagsIn();
        if (sample.operation().memoryOut() != MemoryKind.NONE) {
            Arrays.fill(context.memory, 0, 32, (byte) 0xA5);
        } else {
            context.put(sample.memoryIn());
        }
        fpu.execute(sample.operation().opcode(), sample.operation().modrm(), context);
        String problem = compare(sample);
        if (problem != null) {
            String name = sample.operation().name();
            int count = mismatches.merge(name, 1, Integer::sum);
            if (count <= 4) {
                examples.computeIfAbsent(name, k -> new StringBuilder())
                        .append("  ").append(problem).append("\n    host: ").append(sample).append('\n');
            }
        }
    }

    private String compare(Sample sample) {
        int tags = fpu.tagWord();
        StringBuilder problem = new StringBuilder();
        if (fpu.controlWord() != sample.controlWordOut()) {
            problem.append("cw %04x ".formatted(fpu.controlWord()));
        }
        if (tags != sample.tagWordOut()) {
            problem.append("tw %04x ".formatted(tags));
        }
        ByteBuffer host = ByteBuffer.wrap(sample.registersOut()).order(ByteOrder.LITTLE_ENDIAN);
        int top = (sample.statusWordOut() >> 11) & 7;
        boolean identical = true;
        for (int i = 0; i < 3; i++) {
            if (((sample.tagWordOut() >> (2 * ((top + i) & 7))) & 3) == 3 || fpu.isEmpty(i)) {
                continue;
            }
            int hostSe = host.getShort(10 * i + 8) & 0xFFFF;
            long hostSig = host.getLong(10 * i);
            int se = fpu.registerSignExponent(i);
            long sig = fpu.registerSignificand(i);
            if (se != hostSe || sig != hostSig) {
                identical = false;
                if (!withinTolerance(se, sig, hostSe, hostSig)) {
                    problem.append("st%d %04x:%016x ".formatted(i, se, sig));
                }
            }
        }
        if (!identical && problem.isEmpty()) {
            inexactResults++;
        }
        // C1 says which way the result was rounded: where the true value lies within the host's approximation error
        // of a representable number, the host and we may round to the same result from opposite sides.
        int statusMask = ulpTolerance > 0 ? ~X87Fpu.SW_C1 : 0xFFFF;
        if ((fpu.statusWord() & statusMask) != (sample.statusWordOut() & statusMask)) {
            problem.append("sw %04x ".formatted(fpu.statusWord()));
        }
        MemoryKind out = sample.operation().memoryOut();
        if (out == MemoryKind.ENVIRONMENT) {
            // Control, status and tag words with their upper halves, and the upper half of the FDP selector's
            // dword; the pointers themselves are the host's addresses.
            if (!Arrays.equals(context.memory, 0, 12, sample.memoryOut(), 0, 12)
                    || !Arrays.equals(context.memory, 26, 28, sample.memoryOut(), 26, 28)) {
                problem.append("env %s ".formatted(HexFormat.of().formatHex(context.memory, 0, 28)));
            }
        } else if (out != MemoryKind.NONE && !Arrays.equals(context.memory, 0, 10, sample.memoryOut(), 0, 10)) {
            problem.append("mem %s ".formatted(HexFormat.of().formatHex(context.memory, 0, 10)));
        }
        if ((context.eflags & EFLAGS_ARITHMETIC) != (sample.eflagsOut() & EFLAGS_ARITHMETIC)) {
            problem.append("eflags %03x ".formatted(context.eflags & EFLAGS_ARITHMETIC));
        }
        return problem.isEmpty() ? null : problem.toString();
    }

    /** Two different finite values of the same sign at most {@code ulpTolerance} representable values apart. */
    private boolean withinTolerance(int se, long sig, int hostSe, long hostSig) {
        if (ulpTolerance == 0 || ((se ^ hostSe) & 0x8000) != 0 || (se & 0x7FFF) == 0x7FFF
                || (hostSe & 0x7FFF) == 0x7FFF) {
            return false;
        }
        return ordinal(se, sig).subtract(ordinal(hostSe, hostSig)).abs()
                .compareTo(BigInteger.valueOf(ulpTolerance)) <= 0;
    }

    /**
     * Finite values of one sign, numbered in order: one ulp apart means consecutive numbers. The number needs 78
     * bits (15 of exponent, 63 of fraction), so a long would wrap and call values four times apart "close".
     */
    static BigInteger ordinal(int se, long sig) {
        int exponent = se & 0x7FFF;
        BigInteger significand = new BigInteger(Long.toUnsignedString(sig));
        if (exponent == 0) {
            return significand; // denormals, and pseudo-denormals, which equal exponent 1 with the same significand
        }
        return BigInteger.valueOf(exponent - 1).shiftLeft(63).add(significand);
    }

    String report() {
        StringBuilder text = new StringBuilder();
        text.append("host: ").append(hostProcessor()).append('\n');
        text.append(replayed).append(" replayed; mismatches: ").append(mismatches).append('\n');
        examples.forEach((name, example) -> text.append(name).append(":\n").append(example));
        return text.toString();
    }

    /**
     * The host processor's model name: the behaviours docs/x87.md lists as decided by the hardware were observed
     * on an AMD EPYC, and another vendor may decide some of them differently.
     */
    private static String hostProcessor() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
