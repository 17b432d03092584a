package org.vstation.cpu.bench;

import java.util.HexFormat;

/**
 * The benchmark's guest workloads, all in one 64 KiB BIOS-style image
 * assembled from {@code src/test/resources/org/vstation/cpu/bench/bench.asm}
 * (BenchmarkImageTest keeps the bytes below equal to nasm's output). The image
 * enters 32-bit protected mode with 4 KiB paging, copies the workloads to RAM,
 * writes to {@link #START_PORT}, runs the chosen workload there for the
 * patched number of rounds and writes 0 to {@link #EXIT_PORT}.
 */
public enum Workload {
    /** Register ALU operations and a counted loop: 8 instructions a round. */
    ALU_LOOP("alu-loop", 0, 8),
    /** A dword copy loop over 4 KiB with loads and stores through the TLB: 5 + 6 * 1024 a round. */
    MEM_COPY("mem-copy", 1, 5 + 6 * 1024),
    /** CALL, PUSH, ADD, POP, RET and the loop: 7 instructions a round. */
    CALL_RET("call-ret", 2, 7);

    public static final int START_PORT = 0x80;
    public static final int EXIT_PORT = 0xF4;
    public static final int IMAGE_SIZE = 0x10000;
    private static final int WORKLOAD_OFFSET = 0xFFE0;
    private static final int ROUNDS_OFFSET = 0xFFE4;
    private static final int RESET_VECTOR_OFFSET = 0xFFF0;

    /** bench.asm from offset 0 to the end of its GDT. */
    private static final String CODE = String.join("",
            "170010010f00fab800f08ed8660f011600000f20c00c010f22c066ea22000f00080066b810008ed88ec08ed0bc009000",
            "00bf0000010031c0b900040000f3abc7050000010003100100c7050400010003200100bf00100100b803000000b90008",
            "0000ab05001000004975f7b8000001000f22d80f20c00d000000800f22c0eb00beb9000f00bf00003000b954000000f3",
            "a48b0de4ff0f00a1e0ff0f00e6808b1c85ad000f0081c300003000ffe3000000001a0000003d000000b801000000bb03",
            "00000001d811c231d329c609f7454975f2eb3289cabe00001000bf00002000b9000400008b06890783c60483c7044975",
            "f34a75e1eb0fe8050000004975f8eb055301d85bc331c0e6f4faf4ebfc9090900000000000000000ffff0000009bcf00",
            "ffff00000093cf");
    /** JMP F000:0006 (start16) at F000:FFF0. */
    private static final String RESET_JUMP = "ea060000f0";

    private final String label;
    private final int number;
    private final long instructionsPerRound;

    Workload(String label, int number, long instructionsPerRound) {
        this.label = label;
        this.number = number;
        this.instructionsPerRound = instructionsPerRound;
    }

    /** The name printed and accepted on the command line, e.g. {@code alu-loop}. */
    public String label() {
        return label;
    }

    public long instructionsPerRound() {
        return instructionsPerRound;
    }

    /** The 64 KiB image that runs this workload for {@code rounds} rounds (an unsigned 32-bit count). */
    public byte[] image(long rounds) {
        if (rounds < 1 || rounds > 0xFFFF_FFFFL) throw new IllegalArgumentException("rounds out of range: " + rounds);
        byte[] image = new byte[IMAGE_SIZE];
        byte[] code = HexFormat.of().parseHex(CODE);
        System.arraycopy(code, 0, image, 0, code.length);
        putInt(image, WORKLOAD_OFFSET, number);
        putInt(image, ROUNDS_OFFSET, (int) rounds);
        byte[] jump = HexFormat.of().parseHex(RESET_JUMP);
        System.arraycopy(jump, 0, image, RESET_VECTOR_OFFSET, jump.length);
        return image;
    }

    private static void putInt(byte[] image, int offset, int value) {
        for (int i = 0; i < 4; i++) image[offset + i] = (byte) (value >>> (8 * i));
    }

    public static Workload byLabel(String label) {
        for (Workload workload : values()) {
            if (workload.label.equals(label)) return workload;
        }
        throw new IllegalArgumentException("unknown workload " + label);
    }
}
