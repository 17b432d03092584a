package org.vstation.devices.vga;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.vstation.cpu.bus.MemoryMappedDevice;
import org.vstation.cpu.bus.TimeSource;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.pci.PciDevice;

/**
 * QEMU's "standard VGA" (PCI 1234:1111): an IBM VGA register set with Bochs VBE extensions.
 * Follows the IBM VGA Technical Reference (sequencer, CRTC, graphics and attribute controllers, DAC) and QEMU's standard-vga.rst (BARs, MMIO layout).
 *
 * <p>The legacy ports (0x3B0-0x3DF), the DISPI ports (0x1CE-0x1D0) and the
 * 0xA0000-0xBFFFF window are fixed ISA-style decodes; the machine places
 * them with {@link #legacyPorts()}, {@link #dispiPorts()} and
 * {@link #legacyWindow()}. BAR0 is the linear framebuffer (all of video
 * memory), BAR2 a 4 KiB MMIO alias of the VGA and DISPI registers, and the
 * expansion ROM holds the VGA BIOS, which SeaBIOS copies to 0xC0000 and runs.
 *
 * <p>What is on screen is the renderer's business; this class only keeps
 * the state, with read accessors for the renderer.
 */
public final class StdVga extends PciDevice {
    public static final int VENDOR_QEMU = 0x1234;
    public static final int DEVICE_STD_VGA = 0x1111;
    public static final int CLASS_VGA = 0x030000;
    public static final int DEFAULT_VIDEO_MEMORY = 16 * 1024 * 1024;

    public static final int LEGACY_PORT_BASE = 0x3B0;
    public static final int LEGACY_PORT_COUNT = 0x30;
    public static final int DISPI_PORT_BASE = 0x1CE;
    /** 0x1CE index, 0x1CF data; 0x1D0 is a second data port (standard-vga.rst), so a word access at 0x1CF stays whole. */
    public static final int DISPI_PORT_COUNT = 3;
    public static final long LEGACY_WINDOW_BASE = 0xA0000;
    public static final int LEGACY_WINDOW_SIZE = 0x20000;

    // ---- ports (IBM VGA Technical Reference, "Register summary") ----
    public static final int CRTC_INDEX_MONO = 0x3B4;
    public static final int CRTC_DATA_MONO = 0x3B5;
    public static final int INPUT_STATUS_1_MONO = 0x3BA;
    public static final int ATTRIBUTE_ADDRESS = 0x3C0;
    public static final int ATTRIBUTE_DATA_READ = 0x3C1;
    public static final int MISC_OUTPUT_WRITE = 0x3C2;
    public static final int INPUT_STATUS_0 = 0x3C2;
    public static final int VIDEO_SUBSYSTEM_ENABLE = 0x3C3;
    public static final int SEQUENCER_INDEX = 0x3C4;
    public static final int SEQUENCER_DATA = 0x3C5;
    public static final int DAC_PIXEL_MASK = 0x3C6;
    public static final int DAC_READ_INDEX = 0x3C7;
    public static final int DAC_WRITE_INDEX = 0x3C8;
    public static final int DAC_DATA = 0x3C9;
    public static final int FEATURE_CONTROL_READ = 0x3CA;
    public static final int MISC_OUTPUT_READ = 0x3CC;
    public static final int GRAPHICS_INDEX = 0x3CE;
    public static final int GRAPHICS_DATA = 0x3CF;
    public static final int CRTC_INDEX_COLOR = 0x3D4;
    public static final int CRTC_DATA_COLOR = 0x3D5;
    public static final int INPUT_STATUS_1_COLOR = 0x3DA;

    // ---- sequencer ----
    public static final int SEQ_RESET = 0x00;
    public static final int SEQ_CLOCKING_MODE = 0x01;
    public static final int SEQ_MAP_MASK = 0x02;
    public static final int SEQ_CHARACTER_MAP_SELECT = 0x03;
    public static final int SEQ_MEMORY_MODE = 0x04;
    public static final int SEQ_REGISTER_COUNT = 5;
    public static final int CLOCKING_8_DOT = 0x01;
    public static final int CLOCKING_DOT_CLOCK_HALF = 0x08;
    public static final int CLOCKING_SCREEN_OFF = 0x20;
    public static final int MEMORY_MODE_ODD_EVEN_DISABLE = 0x04;
    public static final int MEMORY_MODE_CHAIN_4 = 0x08;

    // ---- graphics controller ----
    public static final int GC_SET_RESET = 0x00;
    public static final int GC_ENABLE_SET_RESET = 0x01;
    public static final int GC_COLOR_COMPARE = 0x02;
    public static final int GC_DATA_ROTATE = 0x03;
    public static final int GC_READ_MAP_SELECT = 0x04;
    public static final int GC_MODE = 0x05;
    public static final int GC_MISCELLANEOUS = 0x06;
    public static final int GC_COLOR_DONT_CARE = 0x07;
    public static final int GC_BIT_MASK = 0x08;
    public static final int GC_REGISTER_COUNT = 9;
    public static final int MODE_READ_MODE_1 = 0x08;
    public static final int MODE_HOST_ODD_EVEN = 0x10;
    public static final int MODE_SHIFT_INTERLEAVE = 0x20;
    public static final int MODE_SHIFT_256 = 0x40;
    public static final int MISC_GRAPHICS_MODE = 0x01;

    // ---- attribute controller ----
    public static final int ATTR_PALETTE_COUNT = 0x10;
    public static final int ATTR_MODE_CONTROL = 0x10;
    public static final int ATTR_OVERSCAN_COLOR = 0x11;
    public static final int ATTR_COLOR_PLANE_ENABLE = 0x12;
    public static final int ATTR_HORIZONTAL_PEL_PANNING = 0x13;
    public static final int ATTR_COLOR_SELECT = 0x14;
    public static final int ATTR_REGISTER_COUNT = 0x15;
    public static final int ATTR_PALETTE_ADDRESS_SOURCE = 0x20;
    public static final int ATTR_MODE_GRAPHICS = 0x01;
    public static final int ATTR_MODE_LINE_GRAPHICS = 0x04;
    public static final int ATTR_MODE_BLINK = 0x08;
    public static final int ATTR_MODE_PEL_PANNING_MODE = 0x20;
    public static final int ATTR_MODE_PEL_CLOCK_HALF = 0x40;
    public static final int ATTR_MODE_P54_SELECT = 0x80;

    // ---- CRT controller ----
    public static final int CRTC_HORIZONTAL_TOTAL = 0x00;
    public static final int CRTC_HORIZONTAL_DISPLAY_END = 0x01;
    public static final int CRTC_VERTICAL_TOTAL = 0x06;
    public static final int CRTC_OVERFLOW = 0x07;
    public static final int CRTC_PRESET_ROW_SCAN = 0x08;
    public static final int CRTC_MAX_SCAN_LINE = 0x09;
    public static final int CRTC_CURSOR_START = 0x0A;
    public static final int CRTC_CURSOR_END = 0x0B;
    public static final int CRTC_START_ADDRESS_HIGH = 0x0C;
    public static final int CRTC_START_ADDRESS_LOW = 0x0D;
    public static final int CRTC_CURSOR_LOCATION_HIGH = 0x0E;
    public static final int CRTC_CURSOR_LOCATION_LOW = 0x0F;
    public static final int CRTC_VERTICAL_RETRACE_START = 0x10;
    public static final int CRTC_VERTICAL_RETRACE_END = 0x11;
    public static final int CRTC_VERTICAL_DISPLAY_END = 0x12;
    public static final int CRTC_OFFSET = 0x13;
    public static final int CRTC_UNDERLINE_LOCATION = 0x14;
    public static final int CRTC_MODE_CONTROL = 0x17;
    public static final int CRTC_LINE_COMPARE = 0x18;
    public static final int CRTC_REGISTER_COUNT = 0x19;
    public static final int VERTICAL_RETRACE_END_PROTECT = 0x80;

    public static final int MISC_OUTPUT_COLOR_EMULATION = 0x01;
    public static final int INPUT_STATUS_1_DISPLAY_DISABLED = 0x01;
    public static final int INPUT_STATUS_1_VERTICAL_RETRACE = 0x08;

    /** BAR2 layout (standard-vga.rst): VGA ports 0x3C0-0x3DF at 0x400, DISPI registers at 0x500, QEMU extensions at 0x600. */
    static final int MMIO_VGA_PORTS = 0x400;
    static final int MMIO_DISPI = 0x500;
    static final int MMIO_QEMU_EXTENDED = 0x600;
    static final int QEMU_EXTENDED_SIZE = 0x8;
    static final int QEMU_FRAMEBUFFER_LITTLE_ENDIAN = 0x1E1E1E1E;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** The four bits of a plane mask, each widened to a byte lane (bit p -> 0xFF in byte p). */
    private static final int[] PLANE_LANES = new int[16];

    static {
        for (int mask = 0; mask < 16; mask++) {
            for (int plane = 0; plane < 4; plane++) {
                if ((mask & 1 << plane) != 0) {
                    PLANE_LANES[mask] |= 0xFF << (8 * plane);
                }
            }
        }
    }

    private final VideoMemory memory;
    private final byte[] vram;
    private final int planeAddressMask;
    private final VgaDac dac = new VgaDac();
    private final BochsDispi dispi;
    private final TimeSource clock;

    private final int[] sequencer = new int[SEQ_REGISTER_COUNT];
    private final int[] graphics = new int[GC_REGISTER_COUNT];
    private final int[] attribute = new int[ATTR_REGISTER_COUNT];
    private final int[] crtc = new int[CRTC_REGISTER_COUNT];
    private int sequencerIndex;
    private int graphicsIndex;
    private int attributeIndex;
    private boolean attributeFlipFlopData;
    private int crtcIndex;
    private int miscOutput;
    private int featureControl;
    private int videoSubsystemEnable = 1;
    private int latches;
    /** Incremented whenever a register that shapes the picture changes, so the renderer redraws all of it. */
    private int modeGeneration;

    private final IoDevice legacyPorts = IoDevice.of("VGA ports 0x3B0-0x3DF",
            (offset, size) -> readBytes(offset, size, this::readPort, LEGACY_PORT_BASE),
            (offset, size, value) -> writeBytes(offset, size, value, this::writePort, LEGACY_PORT_BASE));
    private final IoDevice dispiPorts = IoDevice.of("Bochs VBE DISPI 0x1CE-0x1D0",
            this::readDispiPort, this::writeDispiPort);
    private final MemoryMappedDevice legacyWindow = new MemoryMappedDevice() {
        @Override public String name() { return "VGA window 0xA0000-0xBFFFF"; }
        @Override public int read(long offset, int size) {
            int value = 0;
            for (int i = 0; i < size; i++) {
                value |= readWindow((int) offset + i) << (8 * i);
            }
            return value;
        }
        @Override public void write(long offset, int size, int value) {
            for (int i = 0; i < size; i++) {
                writeWindow((int) offset + i, (value >>> (8 * i)) & 0xFF);
            }
        }
    };

    /**
     * @param videoMemoryBytes a power of two from 256 KiB (the BAR0 size)
     * @param vgaBios the VGA BIOS image for the expansion ROM, or null for none
     * @param clock the virtual clock that paces the retrace status bits and blinking
     */
    public StdVga(int videoMemoryBytes, byte[] vgaBios, TimeSource clock) {
        super("VGA (QEMU standard VGA)", VENDOR_QEMU, DEVICE_STD_VGA, 0x02, CLASS_VGA);
        setSubsystem(0x1AF4, 0x1100);
        this.memory = new VideoMemory(videoMemoryBytes);
        this.vram = memory.bytes();
        this.planeAddressMask = Math.min(videoMemoryBytes / 4, 1 << 16) - 1;
        this.clock = clock;
        this.dispi = new BochsDispi(memory, dac, () -> modeGeneration++);
        defineMemoryBar(0, videoMemoryBytes, true, new LinearFramebuffer());
        defineMemoryBar(2, 4096, false, new RegisterMmio());
        if (vgaBios != null) {
            defineExpansionRom(vgaBios);
        }
        miscOutput = MISC_OUTPUT_COLOR_EMULATION;
    }

    /** The reset line: registers return to power-on values (blank screen, DISPI off); video memory keeps its contents. */
    public void reset() {
        Arrays.fill(sequencer, 0);
        Arrays.fill(graphics, 0);
        Arrays.fill(attribute, 0);
        Arrays.fill(crtc, 0);
        sequencerIndex = graphicsIndex = attributeIndex = crtcIndex = 0;
        attributeFlipFlopData = false;
        miscOutput = MISC_OUTPUT_COLOR_EMULATION;
        featureControl = 0;
        videoSubsystemEnable = 1;
        latches = 0;
        dac.setPixelMask(0xFF);
        dispi.write(BochsDispi.INDEX_ENABLE, 0);
        memory.markAllDirty();
        modeGeneration++;
    }

    public IoDevice legacyPorts() {
        return legacyPorts;
    }

    public IoDevice dispiPorts() {
        return dispiPorts;
    }

    public MemoryMappedDevice legacyWindow() {
        return legacyWindow;
    }

    // ---- state for the renderer --------------------------------------------------

    public VideoMemory memory() {
        return memory;
    }

    public VgaDac dac() {
        return dac;
    }

    public BochsDispi dispi() {
        return dispi;
    }

    public int sequencerRegister(int index) {
        return sequencer[index];
    }

    public int graphicsRegister(int index) {
        return graphics[index];
    }

    public int attributeRegister(int index) {
        return attribute[index];
    }

    public int crtcRegister(int index) {
        return crtc[index];
    }

    public int miscOutput() {
        return miscOutput;
    }

    /** False while the attribute controller's palette address source bit is clear: the screen shows nothing. */
    public boolean paletteAddressSource() {
        return (attributeIndex & ATTR_PALETTE_ADDRESS_SOURCE) != 0;
    }

    public int modeGeneration() {
        return modeGeneration;
    }

    /** Vertical frames since power on, from the virtual clock: the time base of cursor and character blink. */
    public long frameNumber() {
        return clock.nanos() / framePeriodNanos();
    }

    // ---- ports ---------------------------------------------------------------------

    private interface ByteReader { int read(int port); }

    private interface ByteWriter { void write(int port, int value); }

    /** Word and dword accesses are consecutive byte accesses, index port first (OUT DX, AX to 0x3C4 sets index and data). */
    private static int readBytes(int offset, int size, ByteReader reader, int base) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (reader.read(base + offset + i) & 0xFF) << (8 * i);
        }
        return value;
    }

    private static void writeBytes(int offset, int size, int value, ByteWriter writer, int base) {
        for (int i = 0; i < size; i++) {
            writer.write(base + offset + i, (value >>> (8 * i)) & 0xFF);
        }
    }

    private boolean colorEmulation() {
        return (miscOutput & MISC_OUTPUT_COLOR_EMULATION) != 0;
    }

    /** The CRTC and input status 1 answer at 0x3Dx in colour emulation and at 0x3Bx in monochrome; the other set floats. */
    private boolean crtcAddressed(int port) {
        return port >= 0x3D0 ? colorEmulation() : !colorEmulation();
    }

    int readPort(int port) {
        switch (port) {
            case ATTRIBUTE_ADDRESS:
                return attributeIndex;
            case ATTRIBUTE_DATA_READ:
                return attributeIndexRegister() < ATTR_REGISTER_COUNT ? attribute[attributeIndexRegister()] : 0;
            case INPUT_STATUS_0:
                return 0x10; // switch sense: a colour monitor is attached
            case VIDEO_SUBSYSTEM_ENABLE:
                return videoSubsystemEnable;
            case SEQUENCER_INDEX:
                return sequencerIndex;
            case SEQUENCER_DATA:
                return sequencerIndex < SEQ_REGISTER_COUNT ? sequencer[sequencerIndex] : 0xFF;
            case DAC_PIXEL_MASK:
                return dac.pixelMask();
            case DAC_READ_INDEX:
                return dac.state();
            case DAC_WRITE_INDEX:
                return dac.writeIndex();
            case DAC_DATA:
                return dac.readData();
            case FEATURE_CONTROL_READ:
                return featureControl;
            case MISC_OUTPUT_READ:
                return miscOutput;
            case GRAPHICS_INDEX:
                return graphicsIndex;
            case GRAPHICS_DATA:
                return graphicsIndex < GC_REGISTER_COUNT ? graphics[graphicsIndex] : 0xFF;
            case CRTC_INDEX_MONO, CRTC_INDEX_COLOR:
                return crtcAddressed(port) ? crtcIndex : 0xFF;
            case CRTC_DATA_MONO, CRTC_DATA_COLOR:
                if (!crtcAddressed(port)) return 0xFF;
                return crtcIndex < CRTC_REGISTER_COUNT ? crtc[crtcIndex] : 0xFF;
            case INPUT_STATUS_1_MONO, INPUT_STATUS_1_COLOR:
                if (!crtcAddressed(port)) return 0xFF;
                attributeFlipFlopData = false; // reading input status 1 resets the attribute flip-flop to "address"
                return inputStatus1();
            default:
                return 0xFF;
        }
    }

    void writePort(int port, int value) {
        switch (port) {
            case ATTRIBUTE_ADDRESS -> writeAttribute(value);
            case MISC_OUTPUT_WRITE -> {
                miscOutput = value;
                modeGeneration++;
            }
            case VIDEO_SUBSYSTEM_ENABLE -> videoSubsystemEnable = value & 1;
            case SEQUENCER_INDEX -> sequencerIndex = value & 0x1F;
            case SEQUENCER_DATA -> writeSequencer(value);
            case DAC_PIXEL_MASK -> dac.setPixelMask(value);
            case DAC_READ_INDEX -> dac.setReadIndex(value);
            case DAC_WRITE_INDEX -> dac.setWriteIndex(value);
            case DAC_DATA -> dac.writeData(value);
            case GRAPHICS_INDEX -> graphicsIndex = value & 0x1F;
            case GRAPHICS_DATA -> writeGraphics(value);
            case CRTC_INDEX_MONO, CRTC_INDEX_COLOR -> {
                if (crtcAddressed(port)) crtcIndex = value & 0x3F;
            }
            case CRTC_DATA_MONO, CRTC_DATA_COLOR -> {
                if (crtcAddressed(port)) writeCrtc(value);
            }
            case INPUT_STATUS_1_MONO, INPUT_STATUS_1_COLOR -> {
                if (crtcAddressed(port)) featureControl = value;
            }
            default -> { }
        }
    }

    private int attributeIndexRegister() {
        return attributeIndex & 0x1F;
    }

    private void writeAttribute(int value) {
        if (!attributeFlipFlopData) {
            attributeIndex = value & 0x3F;
            modeGeneration++; // the palette address source bit blanks or unblanks the screen
        } else if (attributeIndexRegister() < ATTR_REGISTER_COUNT) {
            int register = attributeIndexRegister();
            // IBM VGA: palette registers cannot be changed while the palette address source bit is set.
            if (register >= ATTR_PALETTE_COUNT || !paletteAddressSource()) {
                attribute[register] = value;
                modeGeneration++;
            }
        }
        attributeFlipFlopData = !attributeFlipFlopData;
    }

    private void writeSequencer(int value) {
        if (sequencerIndex >= SEQ_REGISTER_COUNT) {
            return;
        }
        int old = sequencer[sequencerIndex];
        sequencer[sequencerIndex] = value;
        if (sequencerIndex != SEQ_MAP_MASK && old != value) {
            modeGeneration++;
        }
    }

    private void writeGraphics(int value) {
        if (graphicsIndex >= GC_REGISTER_COUNT) {
            return;
        }
        int old = graphics[graphicsIndex];
        graphics[graphicsIndex] = value;
        // Only the shift-register and graphics-mode bits shape the picture; drawing reprograms the rest constantly.
        if ((graphicsIndex == GC_MODE && ((old ^ value) & (MODE_SHIFT_INTERLEAVE | MODE_SHIFT_256)) != 0)
                || (graphicsIndex == GC_MISCELLANEOUS && old != value)) {
            modeGeneration++;
        }
    }

    private void writeCrtc(int value) {
        if (crtcIndex >= CRTC_REGISTER_COUNT) {
            return;
        }
        // IBM VGA, CRTC register 0x11 bit 7: registers 0-7 are write-protected, except the line compare bit of the overflow register.
        if ((crtc[CRTC_VERTICAL_RETRACE_END] & VERTICAL_RETRACE_END_PROTECT) != 0 && crtcIndex <= CRTC_OVERFLOW) {
            if (crtcIndex == CRTC_OVERFLOW) {
                crtc[CRTC_OVERFLOW] = (crtc[CRTC_OVERFLOW] & ~0x10) | (value & 0x10);
                modeGeneration++;
            }
            return;
        }
        int old = crtc[crtcIndex];
        crtc[crtcIndex] = value;
        boolean cursorOnly = crtcIndex >= CRTC_CURSOR_START && crtcIndex <= CRTC_CURSOR_LOCATION_LOW
                && crtcIndex != CRTC_START_ADDRESS_HIGH && crtcIndex != CRTC_START_ADDRESS_LOW;
        if (old != value && !cursorOnly) {
            modeGeneration++;
        }
    }

    // ---- DISPI ---------------------------------------------------------------------

    private int readDispiPort(int offset, int size) {
        return offset == 0 ? dispi.readIndex() : dispi.readData();
    }

    private void writeDispiPort(int offset, int size, int value) {
        if (offset == 0) {
            dispi.writeIndex(value);
        } else {
            dispi.writeData(value);
        }
    }

    // ---- retrace timing ------------------------------------------------------------

    /** Dot clocks selected by the clock-select bits of the miscellaneous output register. */
    private static final long[] DOT_CLOCK_HZ = {25_175_000, 28_322_000, 25_175_000, 28_322_000};
    private static final long DEFAULT_FRAME_NANOS = 1_000_000_000L / 60;

    /** Duration of one scan line from the CRTC horizontal total, character width and dot clock. */
    private long lineNanos() {
        long dotsPerCharacter = ((sequencer[SEQ_CLOCKING_MODE] & CLOCKING_8_DOT) != 0 ? 8 : 9)
                * ((sequencer[SEQ_CLOCKING_MODE] & CLOCKING_DOT_CLOCK_HALF) != 0 ? 2 : 1);
        long characters = crtc[CRTC_HORIZONTAL_TOTAL] + 5L;
        return characters * dotsPerCharacter * 1_000_000_000L / DOT_CLOCK_HZ[(miscOutput >> 2) & 3];
    }

    private int verticalTotal() {
        int overflow = crtc[CRTC_OVERFLOW];
        return (crtc[CRTC_VERTICAL_TOTAL] | (overflow & 0x01) << 8 | (overflow & 0x20) << 4) + 2;
    }

    int verticalDisplayEnd() {
        int overflow = crtc[CRTC_OVERFLOW];
        return crtc[CRTC_VERTICAL_DISPLAY_END] | (overflow & 0x02) << 7 | (overflow & 0x40) << 3;
    }

    private int verticalRetraceStart() {
        int overflow = crtc[CRTC_OVERFLOW];
        return crtc[CRTC_VERTICAL_RETRACE_START] | (overflow & 0x04) << 6 | (overflow & 0x80) << 2;
    }

    /** One frame's raster timing: line counts and where in the line and frame the display and the retrace are. */
    private record RasterTiming(long frameNanos, int lines, int displayLines, int retraceStart, int retraceLines,
                                int horizontalDisplayed, int horizontalTotal) {
        /** 640x480 at 60 Hz: what a guest sees when the CRTC is not driving the picture or is programmed absurdly. */
        static final RasterTiming VESA_60HZ = new RasterTiming(DEFAULT_FRAME_NANOS, 525, 480, 490, 2, 80, 100);
    }

    /**
     * The raster timing from the CRTC. A guest that programs timing no
     * monitor would sync to (or a VBE mode, which has no CRTC timing of its
     * own) gets 640x480 at 60 Hz, so polling loops always see retraces.
     */
    private RasterTiming rasterTiming() {
        if (dispi.enabled()) {
            return RasterTiming.VESA_60HZ;
        }
        int lines = verticalTotal();
        long frame = lineNanos() * lines;
        int displayLines = verticalDisplayEnd() + 1;
        int retraceStart = verticalRetraceStart();
        // The retrace ends when the line counter's low four bits match the retrace end register.
        int retraceLines = ((crtc[CRTC_VERTICAL_RETRACE_END] & 0x0F) - retraceStart) & 0x0F;
        int horizontalDisplayed = crtc[CRTC_HORIZONTAL_DISPLAY_END] + 1;
        int horizontalTotal = crtc[CRTC_HORIZONTAL_TOTAL] + 5;
        if (frame < 1_000_000_000L / 100 || frame > 1_000_000_000L / 50 || displayLines >= lines
                || retraceLines == 0 || retraceStart + retraceLines > lines || horizontalDisplayed >= horizontalTotal) {
            return RasterTiming.VESA_60HZ;
        }
        return new RasterTiming(frame, lines, displayLines, retraceStart, retraceLines, horizontalDisplayed, horizontalTotal);
    }

    /** The length of one video frame (the blink time base), from the CRTC timing. */
    public long framePeriodNanos() {
        return rasterTiming().frameNanos();
    }

    private int inputStatus1() {
        RasterTiming timing = rasterTiming();
        long intoFrame = clock.nanos() % timing.frameNanos();
        long lineTime = timing.frameNanos() / timing.lines();
        long line = intoFrame / lineTime;
        long intoLine = intoFrame % lineTime;
        int status = 0;
        if (line >= timing.retraceStart() && line < timing.retraceStart() + timing.retraceLines()) {
            status |= INPUT_STATUS_1_VERTICAL_RETRACE;
        }
        boolean horizontalBlank = intoLine * timing.horizontalTotal() >= lineTime * timing.horizontalDisplayed();
        if (line >= timing.displayLines() || horizontalBlank) {
            status |= INPUT_STATUS_1_DISPLAY_DISABLED;
        }
        return status;
    }

    // ---- the 0xA0000 window ----------------------------------------------------------

    /** Maps a window offset (0 = 0xA0000) through the memory map select bits; -1 when the offset is outside the selected range. */
    private int windowOffset(int offset) {
        return switch ((graphics[GC_MISCELLANEOUS] >> 2) & 3) {
            case 0 -> offset;
            case 1 -> offset < 0x10000 ? offset : -1;
            case 2 -> offset >= 0x10000 && offset < 0x18000 ? offset - 0x10000 : -1;
            default -> offset >= 0x18000 ? offset - 0x18000 : -1;
        };
    }

    /** A VBE mode with packed pixels shows video memory through the window linearly, 64 KiB per bank. */
    private boolean bankedLinearWindow() {
        return dispi.enabled() && dispi.bpp() > 4;
    }

    /** Plane address of the first byte of the window: non-zero only in planar VBE modes, which bank by plane address. */
    private int planeBase() {
        return dispi.enabled() ? dispi.bankOffset() : 0;
    }

    int readWindow(int windowByte) {
        if (bankedLinearWindow()) {
            return windowByte < 0x10000 ? vram[(dispi.bankOffset() + windowByte) & (vram.length - 1)] & 0xFF : 0xFF;
        }
        int offset = windowOffset(windowByte);
        if (offset < 0) {
            return 0xFF;
        }
        int memoryMode = sequencer[SEQ_MEMORY_MODE];
        if ((memoryMode & MEMORY_MODE_CHAIN_4) != 0) {
            int address = planeByteIndex(offset & ~3, offset & 3);
            latches = (int) INT_LE.get(vram, address & ~3);
            return vram[address] & 0xFF;
        }
        int planeAddress;
        int plane;
        if ((graphics[GC_MODE] & MODE_HOST_ODD_EVEN) != 0) {
            planeAddress = offset & ~1;
            plane = (graphics[GC_READ_MAP_SELECT] & 2) | (offset & 1);
        } else {
            planeAddress = offset;
            plane = graphics[GC_READ_MAP_SELECT] & 3;
        }
        int base = planeByteIndex(planeAddress, 0);
        latches = (int) INT_LE.get(vram, base);
        if ((graphics[GC_MODE] & MODE_READ_MODE_1) == 0) {
            return (latches >>> (8 * plane)) & 0xFF;
        }
        return colorCompare();
    }

    /** Read mode 1: a 1 bit wherever all planes selected by colour-don't-care match the colour-compare value. */
    private int colorCompare() {
        int matches = 0xFF;
        int care = graphics[GC_COLOR_DONT_CARE];
        int compare = graphics[GC_COLOR_COMPARE];
        for (int plane = 0; plane < 4; plane++) {
            if ((care & 1 << plane) != 0) {
                int planeByte = (latches >>> (8 * plane)) & 0xFF;
                matches &= (compare & 1 << plane) != 0 ? planeByte : ~planeByte;
            }
        }
        return matches & 0xFF;
    }

    void writeWindow(int windowByte, int value) {
        if (bankedLinearWindow()) {
            if (windowByte < 0x10000) {
                int address = (dispi.bankOffset() + windowByte) & (vram.length - 1);
                vram[address] = (byte) value;
                memory.markDirty(address);
            }
            return;
        }
        int offset = windowOffset(windowByte);
        if (offset < 0) {
            return;
        }
        int memoryMode = sequencer[SEQ_MEMORY_MODE];
        int mapMask = sequencer[SEQ_MAP_MASK] & 0x0F;
        if ((memoryMode & MEMORY_MODE_CHAIN_4) != 0) {
            int plane = offset & 3;
            if ((mapMask & 1 << plane) != 0) {
                int address = planeByteIndex(offset & ~3, plane);
                vram[address] = (byte) value;
                memory.markDirty(address);
                if (plane == 2) {
                    memory.notePlane2Write();
                }
            }
            return;
        }
        int planeAddress = offset;
        int planes = mapMask;
        if ((memoryMode & MEMORY_MODE_ODD_EVEN_DISABLE) == 0) {
            planeAddress = offset & ~1;
            planes &= (offset & 1) != 0 ? 0b1010 : 0b0101; // odd addresses reach planes 1 and 3, even ones 0 and 2
        }
        int data = graphicsControllerData(value);
        int base = planeByteIndex(planeAddress, 0);
        int old = (int) INT_LE.get(vram, base);
        int lanes = PLANE_LANES[planes];
        INT_LE.set(vram, base, (old & ~lanes) | (data & lanes));
        memory.markDirty(base);
        if ((planes & 4) != 0) {
            memory.notePlane2Write();
        }
    }

    /** Index in video memory of a plane byte, wrapping the plane address within the 64 KiB plane (more in VBE planar modes). */
    private int planeByteIndex(int planeAddress, int plane) {
        int address = dispi.enabled() ? (planeBase() + planeAddress) & (vram.length / 4 - 1) : planeAddress & planeAddressMask;
        return address << 2 | plane;
    }

    /**
     * The four plane bytes the graphics controller produces for a CPU write
     * (IBM VGA Technical Reference, graphics controller write modes 0-3),
     * one per byte lane, before the map mask chooses which planes take them.
     */
    private int graphicsControllerData(int value) {
        int mode = graphics[GC_MODE] & 3;
        if (mode == 1) {
            return latches;
        }
        int rotateCount = graphics[GC_DATA_ROTATE] & 7;
        int rotated = ((value >>> rotateCount) | (value << (8 - rotateCount))) & 0xFF;
        int setReset = PLANE_LANES[graphics[GC_SET_RESET] & 0x0F];
        int bitMask = graphics[GC_BIT_MASK] & 0xFF;
        int data;
        switch (mode) {
            case 0 -> {
                int enableSetReset = PLANE_LANES[graphics[GC_ENABLE_SET_RESET] & 0x0F];
                data = (setReset & enableSetReset) | (rotated * 0x01010101 & ~enableSetReset);
            }
            case 2 -> data = PLANE_LANES[value & 0x0F];
            default -> {
                data = setReset;
                bitMask &= rotated;
            }
        }
        data = switch ((graphics[GC_DATA_ROTATE] >> 3) & 3) {
            case 1 -> data & latches;
            case 2 -> data | latches;
            case 3 -> data ^ latches;
            default -> data;
        };
        int maskLanes = bitMask * 0x01010101;
        return (data & maskLanes) | (latches & ~maskLanes);
    }

    // ---- BAR0 and BAR2 ---------------------------------------------------------------

    /** BAR0: all of video memory, little-endian, as VBE linear-framebuffer modes use it. */
    private final class LinearFramebuffer implements MemoryMappedDevice {
        @Override
        public String name() {
            return "VGA linear framebuffer";
        }

        @Override
        public int read(long offset, int size) {
            int at = (int) offset & (vram.length - 1);
            if (size == 4 && at <= vram.length - 4) {
                return (int) INT_LE.get(vram, at);
            }
            int value = 0;
            for (int i = 0; i < size; i++) {
                value |= (vram[(at + i) & (vram.length - 1)] & 0xFF) << (8 * i);
            }
            return value;
        }

        @Override
        public void write(long offset, int size, int value) {
            int at = (int) offset & (vram.length - 1);
            if (size == 4 && at <= vram.length - 4) {
                INT_LE.set(vram, at, value);
            } else {
                for (int i = 0; i < size; i++) {
                    vram[(at + i) & (vram.length - 1)] = (byte) (value >>> (8 * i));
                }
            }
            memory.markDirty(at, size);
        }
    }

    /** BAR2: the VGA ports 0x3C0-0x3DF, the DISPI registers without index port, and QEMU's extended registers. */
    private final class RegisterMmio implements MemoryMappedDevice {
        @Override
        public String name() {
            return "VGA MMIO registers";
        }

        @Override
        public int read(long offset, int size) {
            int at = (int) offset;
            if (at >= MMIO_VGA_PORTS && at < MMIO_VGA_PORTS + 0x20) {
                return readBytes(at - MMIO_VGA_PORTS, size, StdVga.this::readPort, ATTRIBUTE_ADDRESS);
            }
            if (at >= MMIO_DISPI && at < MMIO_DISPI + 2 * BochsDispi.REGISTER_COUNT) {
                return dispi.read((at - MMIO_DISPI) >> 1);
            }
            if (at == MMIO_QEMU_EXTENDED) {
                return QEMU_EXTENDED_SIZE;
            }
            if (at == MMIO_QEMU_EXTENDED + 4) {
                return QEMU_FRAMEBUFFER_LITTLE_ENDIAN;
            }
            return 0;
        }

        @Override
        public void write(long offset, int size, int value) {
            int at = (int) offset;
            if (at >= MMIO_VGA_PORTS && at < MMIO_VGA_PORTS + 0x20) {
                writeBytes(at - MMIO_VGA_PORTS, size, value, StdVga.this::writePort, ATTRIBUTE_ADDRESS);
            } else if (at >= MMIO_DISPI && at < MMIO_DISPI + 2 * BochsDispi.REGISTER_COUNT) {
                dispi.write((at - MMIO_DISPI) >> 1, value & 0xFFFF);
            }
        }
    }

    // ---- snapshots -------------------------------------------------------------------

    private static final int STATE_VERSION = 1;

    @Override
    public void saveState(DataOutput out) throws IOException {
        super.saveState(out);
        out.writeInt(STATE_VERSION);
        for (int[] registers : new int[][] {sequencer, graphics, attribute, crtc}) {
            for (int value : registers) {
                out.writeByte(value);
            }
        }
        out.writeByte(sequencerIndex);
        out.writeByte(graphicsIndex);
        out.writeByte(attributeIndex);
        out.writeBoolean(attributeFlipFlopData);
        out.writeByte(crtcIndex);
        out.writeByte(miscOutput);
        out.writeByte(featureControl);
        out.writeByte(videoSubsystemEnable);
        out.writeInt(latches);
        dac.saveState(out);
        dispi.saveState(out);
        out.writeInt(vram.length);
        out.write(vram);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        super.restoreState(in);
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException(name() + ": unsupported VGA state version " + version);
        }
        for (int[] registers : new int[][] {sequencer, graphics, attribute, crtc}) {
            for (int i = 0; i < registers.length; i++) {
                registers[i] = in.readUnsignedByte();
            }
        }
        sequencerIndex = in.readUnsignedByte();
        graphicsIndex = in.readUnsignedByte();
        attributeIndex = in.readUnsignedByte();
        attributeFlipFlopData = in.readBoolean();
        crtcIndex = in.readUnsignedByte();
        miscOutput = in.readUnsignedByte();
        featureControl = in.readUnsignedByte();
        videoSubsystemEnable = in.readUnsignedByte();
        latches = in.readInt();
        dac.restoreState(in);
        dispi.restoreState(in);
        int size = in.readInt();
        if (size != vram.length) {
            throw new IOException(name() + ": snapshot has " + size + " bytes of video memory, this VGA has " + vram.length);
        }
        in.readFully(vram);
        memory.markAllDirty();
        modeGeneration++;
    }
}
