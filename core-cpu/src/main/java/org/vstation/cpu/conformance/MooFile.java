package org.vstation.cpu.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the MOO v1 format of the SingleStepTests hardware captures: a
 * flat sequence of tagged chunks (tag, u32 length, payload), little-endian,
 * usually gzip-compressed. Unknown tags are skipped by their length.
 */
public final class MooFile {
    /** Register order of a REGS chunk's bit mask. */
    public static final String[] REGISTER_NAMES = {"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"};
    public static final int REGISTER_COUNT = REGISTER_NAMES.length;
    public static final int FLAGS = 13;

    /** A CPU state: registers present where {@code registerMask} has the bit set, and RAM bytes. */
    public record State(int registerMask, int[] registers, long[] ramAddresses, int[] ramValues) {
        public boolean has(int register) {
            return (registerMask & (1 << register)) != 0;
        }
    }

    /** One test. {@code exceptionFlagsAddress} is -1 when the instruction raised no exception. */
    public record Test(int index, String name, byte[] bytes, State initial, State expected,
                       int exceptionVector, long exceptionFlagsAddress, String hash) {}

    private MooFile() {}

    public static List<Test> read(Path path) throws IOException {
        byte[] data;
        try (InputStream raw = Files.newInputStream(path)) {
            InputStream in = path.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            data = in.readAllBytes();
        }
        return parse(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), path);
    }

    private static List<Test> parse(ByteBuffer buffer, Path path) throws IOException {
        List<Test> tests = new ArrayList<>();
        while (buffer.remaining() >= 8) {
            String tag = tag(buffer);
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IOException(path + ": chunk " + tag + " runs past the end of the file");
            }
            ByteBuffer payload = slice(buffer, length);
            if (tag.equals("TEST")) {
                tests.add(parseTest(payload));
            }
        }
        return tests;
    }

    private static Test parseTest(ByteBuffer test) {
        int index = test.getInt();
        String name = "";
        byte[] bytes = new byte[0];
        State initial = null;
        State expected = null;
        int vector = -1;
        long flagsAddress = -1;
        String hash = "";
        while (test.remaining() >= 8) {
            String tag = tag(test);
            int length = test.getInt();
            ByteBuffer payload = slice(test, length);
            switch (tag) {
                case "NAME" -> {
                    byte[] text = new byte[payload.getInt()];
                    payload.get(text);
                    name = new String(text, StandardCharsets.US_ASCII);
                }
                case "BYTS" -> {
                    bytes = new byte[payload.getInt()];
                    payload.get(bytes);
                }
                case "INIT" -> initial = parseState(payload);
                case "FINA" -> expected = parseState(payload);
                case "EXCP" -> {
                    vector = payload.get() & 0xFF;
                    flagsAddress = payload.getInt() & 0xFFFF_FFFFL;
                }
                case "HASH" -> {
                    StringBuilder hex = new StringBuilder();
                    while (payload.hasRemaining()) hex.append(String.format("%02x", payload.get()));
                    hash = hex.toString();
                }
                default -> { }
            }
        }
        return new Test(index, name, bytes, initial, expected, vector, flagsAddress, hash);
    }

    private static State parseState(ByteBuffer state) {
        int mask = 0;
        int[] registers = new int[REGISTER_COUNT];
        long[] addresses = new long[0];
        int[] values = new int[0];
        while (state.remaining() >= 8) {
            String tag = tag(state);
            int length = state.getInt();
            ByteBuffer payload = slice(state, length);
            if (tag.equals("REGS")) {
                mask = payload.getShort() & 0xFFFF;
                for (int r = 0; r < REGISTER_COUNT; r++) {
                    if ((mask & (1 << r)) != 0) registers[r] = payload.getShort() & 0xFFFF;
                }
            } else if (tag.equals("RAM ")) {
                int count = payload.getInt();
                addresses = new long[count];
                values = new int[count];
                for (int i = 0; i < count; i++) {
                    addresses[i] = payload.getInt() & 0xFFFF_FFFFL;
                    values[i] = payload.get() & 0xFF;
                }
            }
        }
        return new State(mask, registers, addresses, values);
    }

    private static String tag(ByteBuffer buffer) {
        byte[] tag = new byte[4];
        buffer.get(tag);
        return new String(tag, StandardCharsets.US_ASCII);
    }

    private static ByteBuffer slice(ByteBuffer buffer, int length) {
        ByteBuffer payload = buffer.slice(buffer.position(), length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(buffer.position() + length);
        return payload;
    }
}
