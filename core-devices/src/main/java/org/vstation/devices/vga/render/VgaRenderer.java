package org.vstation.devices.vga.render;

import static org.vstation.devices.vga.StdVga.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.LinearScanOut;
import org.vstation.devices.vga.BochsDispi;
import org.vstation.devices.vga.StdVga;
import org.vstation.devices.vga.VgaDac;
import org.vstation.devices.vga.VideoMemory;

/**
 * Turns the VGA's current mode and video memory into an ARGB picture: text
 * modes (font from plane 2, cursor, blink), 16-colour planar, CGA-style
 * interleaved and 256-colour graphics as the CRTC scans them, and Bochs VBE
 * linear modes. Follows the IBM VGA Technical Reference for how the CRTC
 * addresses memory and how the attribute controller and DAC colour pixels.
 *
 * <p>Only lines whose video memory changed (by the 4 KiB dirty pages of
 * {@link VideoMemory}) are drawn again, unless a register changed the mode;
 * a frame with nothing changed costs a comparison of the mode and a scan of
 * the dirty bitmap. Runs on the VM thread. Never throws on any register or
 * memory contents: absurd programming gives a blank or clamped picture.
 */
public final class VgaRenderer {
    /** Largest picture drawn (16 MiB of pixels); larger modes are clipped. */
    public static final int MAX_WIDTH = 2560;
    public static final int MAX_HEIGHT = 1600;

    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt PIXEL_32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Character generator offsets in plane 2 selected by the character map select fields (IBM VGA, sequencer register 3). */
    private static final int[] FONT_BASE = {0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000};
    private static final int BLACK = 0xFF00_0000;

    private enum Kind { BLANK, TEXT, PLANAR, INTERLEAVED, COLOR_256, VBE }

    /** Everything derived from the registers that decides where each pixel comes from. */
    private record Geometry(Kind kind, int width, int height, int startAddress, int lineIncrement, int addressMode,
                            int cgaSubstitution, int characterClocks, int characterWidth, int rowHeight,
                            int doubleScan, int dotRepeat, int presetRowScan, int lineCompare, int panning,
                            boolean splitUnpanned,
                            int vbeBitsPerPixel, long vbeStart, int vbePitch) {
    }

    private static final int BYTE_MODE = 0;
    private static final int WORD_MODE = 1;
    private static final int WORD_MODE_MA15 = 2;
    private static final int DOUBLEWORD_MODE = 3;

    private final StdVga vga;
    private final VideoMemory memory;
    private final byte[] vram;
    private final MemorySegment vramSegment;
    private final Framebuffer framebuffer = new Framebuffer(640, 480);
    private final int[] colorOfAttribute = new int[16];
    private int[] lineBuffer = new int[0];

    private Geometry lastGeometry;
    /** The mode of the last {@link #scanOut()}, or null when a render came after it. */
    private Geometry lastScanOut;
    private int lastModeGeneration;
    private int lastDacChange;
    private int lastCursorAddress = -1;
    private boolean lastCursorShown;
    private boolean lastBlinkOn;
    private boolean drew;

    public VgaRenderer(StdVga vga) {
        this.vga = vga;
        this.memory = vga.memory();
        this.vram = memory.bytes();
        this.vramSegment = MemorySegment.ofArray(vram);
    }

    public Framebuffer framebuffer() {
        return framebuffer;
    }

    /**
     * Brings the picture up to date with the device and returns true if
     * anything changed. What changed is added to the framebuffer's dirty
     * rectangle, which accumulates until its consumer (the console) clears
     * it, so renders for screenshots in between lose the console nothing.
     */
    public boolean render() {
        drew = false;
        lastScanOut = null; // this render takes the dirty pages a scan-out would have needed
        Geometry geometry = geometry();
        VgaDac dac = vga.dac();
        boolean full = !geometry.equals(lastGeometry) || vga.modeGeneration() != lastModeGeneration
                || dac.changeCount() != lastDacChange;
        lastGeometry = geometry;
        lastModeGeneration = vga.modeGeneration();
        lastDacChange = dac.changeCount();
        if (geometry.kind() != Kind.BLANK) {
            framebuffer.resize(geometry.width(), geometry.height());
        }
        if (full) {
            framebuffer.markAllDirty();
            drew = true;
        }
        switch (geometry.kind()) {
            case BLANK -> {
                if (full) {
                    Arrays.fill(framebuffer.pixels(), BLACK);
                }
            }
            case TEXT -> renderText(geometry, full);
            case VBE -> renderVbe(geometry, full);
            default -> renderGraphics(geometry, full);
        }
        memory.clearDirty();
        return drew;
    }

    /**
     * For a display that copies a 32-bit VBE screen straight out of video memory instead of having
     * it drawn here (the VM thread then spends no time per pixel): when the mode is VBE 32 bpp and
     * every line lies in video memory, where the picture is and which lines changed since the last
     * scan-out (all of them after a mode change or a {@link #render()}), and forgets those changes.
     * The framebuffer is then out of date, so the next {@link #render()} draws it whole. Otherwise
     * null, and the display needs {@link #render()}.
     */
    public LinearScanOut scanOut() {
        Geometry g = geometry();
        if (g.kind() != Kind.VBE || g.vbeBitsPerPixel() != 32
                || g.vbeStart() + (long) (g.height() - 1) * g.vbePitch() + 4L * g.width() > vram.length) {
            return null;
        }
        int start = (int) g.vbeStart();
        int top = 0;
        int bottom = g.height();
        if (g.equals(lastScanOut)) {
            top = -1;
            bottom = 0;
            if (memory.anyDirty()) {
                for (int y = 0; y < g.height(); y++) {
                    if (memory.isDirty(start + y * g.vbePitch(), 4 * g.width())) {
                        top = top < 0 ? y : top;
                        bottom = y + 1;
                    }
                }
            }
            top = Math.max(top, 0);
        }
        lastScanOut = g;
        lastGeometry = null;
        memory.clearDirty();
        return new LinearScanOut(vram, start, g.vbePitch(), g.width(), g.height(), top, bottom);
    }

    private void lineDrawn(int y) {
        framebuffer.markRowsDirty(y, y + 1);
        drew = true;
    }

    /**
     * In a text mode, the characters on screen, row by row as the CRTC scans
     * them (start address, line offset, split screen), without trailing
     * blanks; an empty list in graphics modes. For tests and tools that
     * compare screens as text.
     */
    public List<String> textLines() {
        Geometry g = geometry();
        if (g.kind() != Kind.TEXT) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (int y = 0; y < g.height(); y++) {
            long position = scanPosition(g, y);
            if ((int) position != 0 || (g.doubleScan() == 2 && (y & 1) != 0)) {
                continue; // not the first scan line of a character row
            }
            int rowAddress = (int) (position >>> 32);
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < g.characterClocks(); column++) {
                int code = vram[planeAddress(g, (rowAddress + column) & 0xFFFF, 0) << 2] & 0xFF;
                line.append(code == 0 ? ' ' : (char) code);
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    // ---- mode decoding ---------------------------------------------------------------

    private Geometry geometry() {
        BochsDispi dispi = vga.dispi();
        if (dispi.enabled()) {
            return vbeGeometry(dispi);
        }
        if (!vga.paletteAddressSource() || (vga.sequencerRegister(SEQ_CLOCKING_MODE) & CLOCKING_SCREEN_OFF) != 0) {
            return blank();
        }
        int gcMode = vga.graphicsRegister(GC_MODE);
        boolean graphics = (vga.attributeRegister(ATTR_MODE_CONTROL) & ATTR_MODE_GRAPHICS) != 0;
        Kind kind = !graphics ? Kind.TEXT
                : (gcMode & MODE_SHIFT_256) != 0 ? Kind.COLOR_256
                : (gcMode & MODE_SHIFT_INTERLEAVE) != 0 ? Kind.INTERLEAVED
                : Kind.PLANAR;
        int clocking = vga.sequencerRegister(SEQ_CLOCKING_MODE);
        boolean dotClockHalved = (clocking & CLOCKING_DOT_CLOCK_HALF) != 0;
        // 40-column text is drawn 8 dots wide, doubled, whatever the 9-dot bit says: so QEMU's screendump
        // shows it (640x400), and we match QEMU's picture.
        int characterWidth = kind == Kind.TEXT && (clocking & CLOCKING_8_DOT) == 0 && !dotClockHalved ? 9 : 8;
        int characterClocks = vga.crtcRegister(CRTC_HORIZONTAL_DISPLAY_END) + 1;
        int maxScanLine = vga.crtcRegister(CRTC_MAX_SCAN_LINE);
        int rowHeight = (maxScanLine & 0x1F) + 1;
        int doubleScan = (maxScanLine & 0x80) != 0 ? 2 : 1;
        int overflow = vga.crtcRegister(CRTC_OVERFLOW);
        int displayLines = (vga.crtcRegister(CRTC_VERTICAL_DISPLAY_END) | (overflow & 0x02) << 7 | (overflow & 0x40) << 3) + 1;
        int lineCompare = vga.crtcRegister(CRTC_LINE_COMPARE) | (overflow & 0x10) << 4 | (maxScanLine & 0x40) << 3;
        int crtcMode = vga.crtcRegister(CRTC_MODE_CONTROL);
        int addressMode = (vga.crtcRegister(CRTC_UNDERLINE_LOCATION) & 0x40) != 0 ? DOUBLEWORD_MODE
                : (crtcMode & 0x40) != 0 ? BYTE_MODE
                : (crtcMode & 0x20) != 0 ? WORD_MODE_MA15 : WORD_MODE;
        int cgaSubstitution = ~crtcMode & 0x03; // bit 0: row scan 0 drives MA13; bit 1: row scan 1 drives MA14
        // The picture is the raster as the monitor sees it (as QEMU shows it too): one output pixel per dot
        // and one row per scan line, so 320x200 modes come out as 640x400 with each pixel doubled.
        int dotRepeat = dotClockHalved ? 2 : 1;
        int width = characterClocks * characterWidth * dotRepeat;
        int height = displayLines;
        int startAddress = vga.crtcRegister(CRTC_START_ADDRESS_HIGH) << 8 | vga.crtcRegister(CRTC_START_ADDRESS_LOW);
        int lineIncrement = vga.crtcRegister(CRTC_OFFSET) * 2;
        int pan = vga.attributeRegister(ATTR_HORIZONTAL_PEL_PANNING) & 0x0F;
        int panningDots = switch (kind) {
            case TEXT -> characterWidth == 9 ? (pan < 8 ? pan + 1 : 0) : pan & 7;
            case COLOR_256 -> pan & 6; // 256-colour pixels are two dots wide and pan by whole pixels
            default -> pan & 7;
        };
        int panning = panningDots * dotRepeat;
        if (width <= 0 || height <= 0) {
            return blank();
        }
        return new Geometry(kind, Math.min(width, MAX_WIDTH), Math.min(height, MAX_HEIGHT), startAddress, lineIncrement,
                addressMode, cgaSubstitution, characterClocks, characterWidth, rowHeight, doubleScan, dotRepeat,
                vga.crtcRegister(CRTC_PRESET_ROW_SCAN) & 0x1F, lineCompare, panning,
                (vga.attributeRegister(ATTR_MODE_CONTROL) & ATTR_MODE_PEL_PANNING_MODE) != 0, 0, 0, 0);
    }

    private Geometry vbeGeometry(BochsDispi dispi) {
        int bpp = dispi.bpp();
        int width = Math.min(dispi.xres(), MAX_WIDTH);
        int height = Math.min(dispi.yres(), MAX_HEIGHT);
        if (width <= 0 || height <= 0 || (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32)) {
            return blank();
        }
        // A virtual screen narrower than the mode is shown as if it were as wide.
        int virtualWidth = Math.max(dispi.virtWidth(), dispi.xres());
        int pitch = bpp == 4 ? virtualWidth / 8 : virtualWidth * ((bpp + 7) / 8);
        long start = bpp == 4 ? ((long) dispi.yOffset() * pitch + dispi.xOffset() / 8)
                : (long) dispi.yOffset() * pitch + (long) dispi.xOffset() * ((bpp + 7) / 8);
        return new Geometry(Kind.VBE, width, height, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, Integer.MAX_VALUE, 0, false, bpp, start,
                pitch);
    }

    private static Geometry blank() {
        return new Geometry(Kind.BLANK, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, false, 0, 0, 0);
    }

    // ---- CRTC addressing -------------------------------------------------------------------

    /**
     * The plane address the CRTC puts out for memory address counter value
     * {@code ma} on row scan {@code rowScan} (IBM VGA, CRTC mode control and
     * underline location registers: byte, word and doubleword modes, and the
     * CGA/Hercules substitution of row-scan bits for MA13 and MA14).
     */
    private static int planeAddress(Geometry g, int ma, int rowScan) {
        int address = switch (g.addressMode()) {
            case WORD_MODE -> ma << 1 | (ma >> 13 & 1);
            case WORD_MODE_MA15 -> ma << 1 | (ma >> 15 & 1);
            case DOUBLEWORD_MODE -> ma << 2 | (ma >> 14 & 3);
            default -> ma;
        };
        if ((g.cgaSubstitution() & 1) != 0) {
            address = (address & ~(1 << 13)) | (rowScan & 1) << 13;
        }
        if ((g.cgaSubstitution() & 2) != 0) {
            address = (address & ~(1 << 14)) | (rowScan >> 1 & 1) << 14;
        }
        return address & 0xFFFF;
    }

    /** Row start address and row scan for an output line, following preset row scan and the line compare split. */
    private static long scanPosition(Geometry g, int outputLine) {
        int physical = outputLine;
        int base;
        int logical;
        if (physical > g.lineCompare()) {
            base = 0; // below the line compare line the screen shows memory from address 0 (split screen)
            logical = (physical - g.lineCompare() - 1) / g.doubleScan();
        } else {
            base = g.startAddress();
            logical = physical / g.doubleScan() + g.presetRowScan();
        }
        int row = logical / g.rowHeight();
        int rowScan = logical % g.rowHeight();
        int rowAddress = (base + row * g.lineIncrement()) & 0xFFFF;
        return (long) rowAddress << 32 | rowScan;
    }

    /** Horizontal pel panning of an output line: the split screen below line compare may be exempt (attribute mode bit 5). */
    private static int panning(Geometry g, int outputLine) {
        return g.splitUnpanned() && outputLine > g.lineCompare() ? 0 : g.panning();
    }

    /** True if video memory behind the plane addresses of [ma, ma + count) changed since the last frame. */
    private boolean planeRangeDirty(Geometry g, int ma, int count, int rowScan) {
        int first = planeAddress(g, ma, rowScan);
        int last = planeAddress(g, ma + count - 1, rowScan);
        if (last < first) {
            return memory.isDirty(0, 0x40000);
        }
        return memory.isDirty(first * 4, (last - first + 4) * 4);
    }

    private void updateAttributeColors() {
        int colorPlaneEnable = vga.attributeRegister(ATTR_COLOR_PLANE_ENABLE) & 0x0F;
        int modeControl = vga.attributeRegister(ATTR_MODE_CONTROL);
        int colorSelect = vga.attributeRegister(ATTR_COLOR_SELECT);
        VgaDac dac = vga.dac();
        for (int value = 0; value < 16; value++) {
            int palette = vga.attributeRegister(value & colorPlaneEnable) & 0x3F;
            if ((modeControl & ATTR_MODE_P54_SELECT) != 0) {
                palette = (palette & 0x0F) | (colorSelect & 0x03) << 4;
            }
            int dacIndex = palette | (colorSelect & 0x0C) << 4;
            colorOfAttribute[value] = dac.argb(dacIndex & dac.pixelMask());
        }
    }

    private int[] lineBuffer(int length) {
        if (lineBuffer.length < length) {
            lineBuffer = new int[length];
        }
        return lineBuffer;
    }

    // ---- text modes ------------------------------------------------------------------------

    private void renderText(Geometry g, boolean full) {
        updateAttributeColors();
        boolean fontChanged = memory.plane2Written();
        long frame = vga.frameNumber();
        // IBM VGA: the cursor blinks every 16 frames and blinking characters every 32.
        boolean cursorBlinkOn = (frame & 8) == 0;
        boolean blinkOn = (frame & 16) == 0;
        boolean blinkEnabled = (vga.attributeRegister(ATTR_MODE_CONTROL) & ATTR_MODE_BLINK) != 0;
        boolean lineGraphics = (vga.attributeRegister(ATTR_MODE_CONTROL) & ATTR_MODE_LINE_GRAPHICS) != 0;
        int cursorStart = vga.crtcRegister(CRTC_CURSOR_START);
        int cursorEnd = vga.crtcRegister(CRTC_CURSOR_END) & 0x1F;
        int cursorAddress = vga.crtcRegister(CRTC_CURSOR_LOCATION_HIGH) << 8 | vga.crtcRegister(CRTC_CURSOR_LOCATION_LOW);
        boolean cursorShown = (cursorStart & 0x20) == 0 && cursorBlinkOn;
        boolean cursorChanged = cursorShown != lastCursorShown || cursorAddress != lastCursorAddress;
        boolean blinkChanged = blinkEnabled && blinkOn != lastBlinkOn;
        int previousCursorAddress = lastCursorAddress;
        lastCursorShown = cursorShown;
        lastCursorAddress = cursorAddress;
        lastBlinkOn = blinkOn;
        full |= fontChanged;
        if (!full && !cursorChanged && !blinkChanged && !memory.anyDirty()) {
            return;
        }

        int characterMapSelect = vga.sequencerRegister(SEQ_CHARACTER_MAP_SELECT);
        int fontA = FONT_BASE[(characterMapSelect >> 5 & 1) << 2 | (characterMapSelect >> 2 & 3)];
        int fontB = FONT_BASE[(characterMapSelect >> 4 & 1) << 2 | (characterMapSelect & 3)];
        int underline = vga.crtcRegister(CRTC_UNDERLINE_LOCATION) & 0x1F;
        int columns = g.characterClocks();
        int cellWidth = g.characterWidth();
        int width = g.width();
        int[] pixels = framebuffer.pixels();
        int[] line = lineBuffer((columns + 1) * cellWidth * g.dotRepeat());

        for (int y = 0; y < g.height(); y++) {
            long position = scanPosition(g, y);
            int rowAddress = (int) (position >>> 32);
            int rowScan = (int) position;
            boolean draw = full || planeRangeDirty(g, rowAddress, columns + 1, rowScan)
                    || cursorChanged && (inRow(cursorAddress, rowAddress, columns) || inRow(previousCursorAddress, rowAddress, columns))
                    || blinkChanged && rowHasBlinkingCharacter(g, rowAddress, columns);
            if (!draw) {
                continue;
            }
            int x = 0;
            for (int column = 0; column <= columns; column++) {
                int ma = (rowAddress + column) & 0xFFFF;
                int cell = planeAddress(g, ma, rowScan) << 2;
                int code = vram[cell] & 0xFF;
                int attribute = vram[cell + 1] & 0xFF;
                int font = (attribute & 0x08) != 0 ? fontA : fontB;
                int glyph = vram[((font + code * 32 + rowScan) & 0xFFFF) << 2 | 2] & 0xFF;
                int foreground = colorOfAttribute[attribute & 0x0F];
                int background = colorOfAttribute[blinkEnabled ? attribute >> 4 & 7 : attribute >> 4];
                if (blinkEnabled && (attribute & 0x80) != 0 && !blinkOn) {
                    foreground = background;
                }
                // The underline and the cursor cover the whole cell, ninth dot included.
                boolean solid = rowScan == underline && (attribute & 0x77) == 0x01
                        || cursorShown && ma == cursorAddress && rowScan >= (cursorStart & 0x1F) && rowScan <= cursorEnd;
                if (solid) {
                    glyph = 0xFF;
                }
                for (int bit = 7; bit >= 0; bit--) {
                    line[x++] = (glyph >> bit & 1) != 0 ? foreground : background;
                }
                if (cellWidth == 9) {
                    // The ninth dot repeats the eighth for the line-drawing characters, else shows background.
                    // IBM documents 0xC0-0xDF; QEMU's screendumps extend 0xB0-0xDF, and we match QEMU's picture.
                    boolean extend = solid || lineGraphics && code >= 0xB0 && code <= 0xDF;
                    line[x++] = extend && (glyph & 1) != 0 ? foreground : background;
                }
            }
            repeatDots(line, x, g.dotRepeat());
            System.arraycopy(line, panning(g, y), pixels, y * width, width);
            lineDrawn(y);
        }
    }

    /** With the dot clock halved every dot lasts two pixels: widens the first {@code dots} entries in place. */
    private static void repeatDots(int[] line, int dots, int repeat) {
        if (repeat == 2) {
            for (int i = dots - 1; i >= 0; i--) {
                line[2 * i] = line[i];
                line[2 * i + 1] = line[i];
            }
        }
    }

    private static boolean inRow(int address, int rowAddress, int columns) {
        return address >= 0 && ((address - rowAddress) & 0xFFFF) <= columns;
    }

    private boolean rowHasBlinkingCharacter(Geometry g, int rowAddress, int columns) {
        for (int column = 0; column <= columns; column++) {
            if ((vram[planeAddress(g, (rowAddress + column) & 0xFFFF, 0) << 2 | 1] & 0x80) != 0) {
                return true;
            }
        }
        return false;
    }

    // ---- VGA graphics modes -----------------------------------------------------------------

    private void renderGraphics(Geometry g, boolean full) {
        if (!full && !memory.anyDirty()) {
            return;
        }
        updateAttributeColors();
        int clocks = g.characterClocks() + 1; // one more character clock feeds horizontal panning
        int width = g.width();
        int[] pixels = framebuffer.pixels();
        int[] line = lineBuffer(clocks * 8 * g.dotRepeat());
        VgaDac dac = vga.dac();
        int pixelMask = dac.pixelMask();
        for (int y = 0; y < g.height(); y++) {
            long position = scanPosition(g, y);
            int rowAddress = (int) (position >>> 32);
            int rowScan = (int) position;
            if (!full && !planeRangeDirty(g, rowAddress, clocks, rowScan)) {
                continue;
            }
            int x = 0;
            for (int clock = 0; clock < clocks; clock++) {
                int planes = (int) INT_LE.get(vram, planeAddress(g, (rowAddress + clock) & 0xFFFF, rowScan) << 2);
                switch (g.kind()) {
                    case COLOR_256 -> {
                        for (int plane = 0; plane < 4; plane++) {
                            int color = dac.argb(planes >>> (8 * plane) & pixelMask);
                            line[x++] = color; // a 256-colour pixel lasts two dots
                            line[x++] = color;
                        }
                    }
                    case INTERLEAVED -> {
                        // Shift-register interleave (CGA 4-colour): plane 0 gives the first four 2-bit pixels, plane 1 the next four.
                        for (int half = 0; half < 2; half++) {
                            int low = planes >>> (8 * half) & 0xFF;
                            int high = planes >>> (8 * half + 16) & 0xFF;
                            for (int pixel = 3; pixel >= 0; pixel--) {
                                int value = (low >> (2 * pixel) & 3) | (high >> (2 * pixel) & 3) << 2;
                                line[x++] = colorOfAttribute[value];
                            }
                        }
                    }
                    default -> {
                        for (int bit = 7; bit >= 0; bit--) {
                            int value = (planes >>> bit & 1) | (planes >>> (bit + 8) & 1) << 1
                                    | (planes >>> (bit + 16) & 1) << 2 | (planes >>> (bit + 24) & 1) << 3;
                            line[x++] = colorOfAttribute[value];
                        }
                    }
                }
            }
            repeatDots(line, x, g.dotRepeat());
            System.arraycopy(line, Math.min(panning(g, y), x * g.dotRepeat() - width), pixels, y * width, width);
            lineDrawn(y);
        }
    }

    // ---- Bochs VBE modes ----------------------------------------------------------------------

    private void renderVbe(Geometry g, boolean full) {
        if (!full && !memory.anyDirty()) {
            return;
        }
        int width = g.width();
        int bpp = g.vbeBitsPerPixel();
        int bytesPerPixel = bpp == 4 ? 0 : (bpp + 7) / 8;
        int lineBytes = bpp == 4 ? (width + 7) / 8 : width * bytesPerPixel;
        int[] pixels = framebuffer.pixels();
        VgaDac dac = vga.dac();
        int pixelMask = dac.pixelMask();
        long memorySize = vram.length;
        for (int y = 0; y < g.height(); y++) {
            long lineStart = g.vbeStart() + (long) y * g.vbePitch();
            int lineIndex = y * width;
            if (lineStart >= memorySize) {
                if (full) {
                    Arrays.fill(pixels, lineIndex, lineIndex + width, BLACK);
                    lineDrawn(y);
                }
                continue;
            }
            int start = (int) lineStart;
            int planeBytes = bpp == 4 ? 4 * lineBytes : lineBytes;
            if (!full && !memory.isDirty(bpp == 4 ? start * 4 : start, planeBytes)) {
                continue;
            }
            // Pixels past the end of video memory show black.
            int visible = bpp == 4 ? (int) Math.min(width, (memorySize / 4 - start) * 8)
                    : (int) Math.min(width, (memorySize - start) / bytesPerPixel);
            switch (bpp) {
                case 32 -> {
                    // A bulk copy and a loop C2 vectorises: a third of the per-pixel loop's time, which
                    // matters because a console redraws 1024x768 on the VM thread up to 60 times a second.
                    MemorySegment.copy(vramSegment, PIXEL_32_LE, start, pixels, lineIndex, visible);
                    for (int x = lineIndex, end = lineIndex + visible; x < end; x++) {
                        pixels[x] |= BLACK;
                    }
                }
                case 24 -> {
                    for (int x = 0, at = start; x < visible; x++, at += 3) {
                        pixels[lineIndex + x] = BLACK | (vram[at + 2] & 0xFF) << 16 | (vram[at + 1] & 0xFF) << 8 | vram[at] & 0xFF;
                    }
                }
                case 16 -> {
                    for (int x = 0, at = start; x < visible; x++, at += 2) {
                        int v = (short) SHORT_LE.get(vram, at);
                        pixels[lineIndex + x] = BLACK | widen5(v >> 11) << 16 | widen6(v >> 5) << 8 | widen5(v);
                    }
                }
                case 15 -> {
                    for (int x = 0, at = start; x < visible; x++, at += 2) {
                        int v = (short) SHORT_LE.get(vram, at);
                        pixels[lineIndex + x] = BLACK | widen5(v >> 10) << 16 | widen5(v >> 5) << 8 | widen5(v);
                    }
                }
                case 8 -> {
                    for (int x = 0, at = start; x < visible; x++, at++) {
                        pixels[lineIndex + x] = dac.argb(vram[at] & pixelMask);
                    }
                }
                default -> {
                    updateAttributeColors();
                    for (int x = 0; x < visible; x++) {
                        int planes = (int) INT_LE.get(vram, (start + x / 8) * 4);
                        int bit = 7 - (x & 7);
                        int value = (planes >>> bit & 1) | (planes >>> (bit + 8) & 1) << 1
                                | (planes >>> (bit + 16) & 1) << 2 | (planes >>> (bit + 24) & 1) << 3;
                        pixels[lineIndex + x] = colorOfAttribute[value];
                    }
                }
            }
            Arrays.fill(pixels, lineIndex + Math.max(0, visible), lineIndex + width, BLACK);
            lineDrawn(y);
        }
    }

    private static int widen5(int value) {
        int v = value & 0x1F;
        return v << 3 | v >> 2;
    }

    private static int widen6(int value) {
        int v = value & 0x3F;
        return v << 2 | v >> 4;
    }
}
