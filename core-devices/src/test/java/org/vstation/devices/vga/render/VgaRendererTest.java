package org.vstation.devices.vga.render;

import static org.junit.jupiter.api.Assertions.*;
import static org.vstation.devices.vga.StandardModes.*;
import static org.vstation.devices.vga.VgaTestGuest.glyphRow;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.LinearScanOut;
import org.vstation.devices.vga.BochsDispi;
import org.vstation.devices.vga.StdVga;
import org.vstation.devices.vga.VgaTestGuest;

class VgaRendererTest {
    private final long[] now = {0};
    private StdVga vga;
    private VgaTestGuest guest;
    private VgaRenderer renderer;

    @BeforeEach
    void setUp() {
        vga = new StdVga(StdVga.DEFAULT_VIDEO_MEMORY, null, () -> now[0]);
        guest = new VgaTestGuest(vga);
        renderer = new VgaRenderer(vga);
    }

    private static int rgb(int[] dac6) {
        return 0xFF00_0000 | expand(dac6[0]) << 16 | expand(dac6[1]) << 8 | expand(dac6[2]);
    }

    private static int expand(int six) {
        return six << 2 | (six & 1) * 3;
    }

    private static int ega(int index) {
        return rgb(egaColor(index));
    }

    /** Text mode 3 after a BIOS mode set: character map 0 holds the test font, cursor at a known place. */
    private void textMode() {
        guest.setMode(MODE_03H);
        guest.loadTestFont(16);
        for (int row = 0; row < 25; row++) {
            for (int column = 0; column < 80; column++) {
                guest.putChar(row, column, 0, 0x07);
            }
        }
    }

    private Framebuffer render() {
        renderer.render();
        return renderer.framebuffer();
    }

    @Test
    void textModeDrawsGlyphsFromPlaneTwoInAttributeColours() {
        textMode();
        guest.putChar(2, 3, 'A', 0x1E); // yellow on blue, away from the cursor
        Framebuffer fb = render();
        assertEquals(720, fb.width());
        assertEquals(400, fb.height());
        int yellow = ega(0x3E);
        int blue = ega(0x01);
        for (int row = 0; row < 16; row++) {
            int glyph = glyphRow('A', row);
            for (int bit = 0; bit < 8; bit++) {
                int expected = (glyph >> (7 - bit) & 1) != 0 ? yellow : blue;
                assertEquals(expected, fb.pixel(3 * 9 + bit, 2 * 16 + row), "row " + row + " dot " + bit);
            }
            assertEquals(blue, fb.pixel(3 * 9 + 8, 2 * 16 + row), "ninth dot is background");
        }
        assertEquals(ega(0x00), fb.pixel(0, 0), "character 0 is blank");
    }

    @Test
    void lineGraphicsCharactersExtendIntoTheNinthDot() {
        textMode();
        guest.putChar(1, 0, 0xC4, 0x07);
        guest.putChar(1, 1, 0xAF, 0x07);
        Framebuffer fb = render();
        for (int row = 0; row < 16; row++) {
            int lastDot = glyphRow(0xC4, row) & 1;
            assertEquals(lastDot != 0 ? ega(0x07) : ega(0), fb.pixel(8, 16 + row), "0xC4 row " + row);
            assertEquals(ega(0), fb.pixel(9 + 8, 16 + row), "0xAF is not a line character");
        }
    }

    @Test
    void cursorShowsOnItsScanLinesAndBlinksWithTheFrameCount() {
        textMode();
        guest.crtc(StdVga.CRTC_CURSOR_LOCATION_HIGH, (5 * 80 + 10) >> 8);
        guest.crtc(StdVga.CRTC_CURSOR_LOCATION_LOW, (5 * 80 + 10) & 0xFF);
        Framebuffer fb = render();
        int x = 10 * 9;
        int y = 5 * 16;
        assertEquals(ega(0x07), fb.pixel(x + 2, y + 13), "cursor start line 13");
        assertEquals(ega(0x07), fb.pixel(x + 2, y + 14), "cursor end line 14");
        assertEquals(ega(0), fb.pixel(x + 2, y + 12));
        assertEquals(ega(0), fb.pixel(x + 2, y + 15));

        long frame = vga.framePeriodNanos();
        now[0] = 8 * frame + frame / 2; // cursor blinks every 16 frames: off in frames 8-15
        fb.clearDirty();
        assertTrue(renderer.render());
        assertEquals(ega(0), fb.pixel(x + 2, y + 13), "cursor off phase");
        assertEquals(y, fb.dirtyY(), "only the cursor's row is redrawn");
        assertEquals(16, fb.dirtyHeight());

        guest.crtc(StdVga.CRTC_CURSOR_START, 0x20);
        now[0] = 16 * frame + frame / 2;
        renderer.render();
        assertEquals(ega(0), fb.pixel(x + 2, y + 13), "disabled cursor");
    }

    @Test
    void blinkingCharactersDisappearInTheOffPhase() {
        textMode();
        guest.putChar(0, 0, 0xDB, 0x8F);
        guest.loadTestFont(16);
        Framebuffer fb = render();
        int dot = firstSetDot(0xDB, 0);
        assertEquals(ega(0x3F), fb.pixel(dot, 0), "bright white shown in the on phase");
        now[0] = 16 * vga.framePeriodNanos() + 1;
        assertTrue(renderer.render());
        assertEquals(ega(0), fb.pixel(dot, 0), "blinking foreground hidden in the off phase");
    }

    private static int firstSetDot(int character, int row) {
        int glyph = glyphRow(character, row);
        for (int bit = 0; bit < 8; bit++) {
            if ((glyph >> (7 - bit) & 1) != 0) {
                return bit;
            }
        }
        throw new AssertionError("glyph row is empty");
    }

    @Test
    void unchangedFrameDrawsNothingAndAWriteRedrawsOnlyItsRows() {
        textMode();
        render();
        renderer.framebuffer().clearDirty(); // as the console does once it has copied the picture
        assertFalse(renderer.render(), "nothing changed");
        assertFalse(renderer.framebuffer().isDirty());
        guest.putChar(20, 40, 'x', 0x07);
        assertTrue(renderer.render());
        Framebuffer fb = renderer.framebuffer();
        assertTrue(fb.dirtyY() <= 20 * 16 && fb.dirtyY() + fb.dirtyHeight() >= 21 * 16, "covers row 20");
        assertTrue(fb.dirtyHeight() <= 8 * 16, "a 4 KiB page holds 1024 plane addresses, under seven rows: " + fb.dirtyHeight());
    }

    @Test
    void dirtyRectangleAccumulatesUntilTheConsumerClearsIt() {
        textMode();
        render();
        Framebuffer fb = renderer.framebuffer();
        fb.clearDirty();
        guest.putChar(0, 0, 'a', 0x07);
        renderer.render();
        guest.putChar(24, 0, 'b', 0x07);
        renderer.render();
        assertEquals(0, fb.dirtyY(), "the first change is still there");
        assertEquals(400, fb.dirtyY() + fb.dirtyHeight(), "and the second");
    }

    @Test
    void textLinesFollowTheStartAddress() {
        textMode();
        guest.putChar(1, 0, 'H', 0x07);
        guest.putChar(1, 1, 'i', 0x07);
        guest.putChar(0, 0, 'X', 0x07);
        guest.crtc(StdVga.CRTC_START_ADDRESS_LOW, 80);
        java.util.List<String> lines = renderer.textLines();
        assertEquals(25, lines.size());
        assertEquals("Hi", lines.get(0), "row 1 of memory is the top row");
        assertEquals("", lines.get(1));
        guest.setMode(MODE_13H);
        assertEquals(java.util.List.of(), renderer.textLines(), "no text in graphics modes");
    }

    @Test
    void startAddressScrollsTheTextScreen() {
        textMode();
        guest.putChar(1, 0, 0xDB, 0x07);
        guest.crtc(StdVga.CRTC_START_ADDRESS_LOW, 80);
        Framebuffer fb = render();
        int dot = firstSetDot(0xDB, 0);
        assertEquals(ega(0x07), fb.pixel(dot, 0), "row 1 of memory is now the top row");
    }

    @Test
    void mode13hShowsChainFourBytesThroughTheDac() {
        guest.setMode(MODE_13H);
        guest.dacEntry(0x80, 0x3F, 0x00, 0x10);
        guest.writeByte(0xA0000 + 7 * 320 + 5, 0x80);
        guest.writeByte(0xA0000 + 199 * 320 + 319, 0x04);
        Framebuffer fb = render();
        assertEquals(640, fb.width(), "the raster: each pixel two dots wide");
        assertEquals(400, fb.height(), "and two scan lines high");
        assertEquals(rgb(new int[] {0x3F, 0x00, 0x10}), fb.pixel(10, 14));
        assertEquals(rgb(new int[] {0x3F, 0x00, 0x10}), fb.pixel(11, 15));
        assertEquals(ega(0x04), fb.pixel(639, 399));
        assertEquals(ega(0x00), fb.pixel(12, 14));
        assertEquals(0x80, guest.readByte(0xA0000 + 7 * 320 + 5), "chain-4 reads back the byte");

        guest.dacEntry(0x80, 0x00, 0x3F, 0x00);
        renderer.render();
        assertEquals(rgb(new int[] {0x00, 0x3F, 0x00}), fb.pixel(10, 14), "a palette change recolours the screen");
        guest.out(StdVga.DAC_PIXEL_MASK, 0x0F);
        renderer.render();
        assertEquals(ega(0x00), fb.pixel(10, 14), "pixel mask 0x0F turns 0x80 into entry 0");
    }

    @Test
    void mode12hDrawsPlanarPixelsWrittenWithWriteModeTwo() {
        guest.setMode(MODE_12H);
        guest.graphics(StdVga.GC_MODE, 0x02);
        guest.graphics(StdVga.GC_BIT_MASK, 0x80 >> 3); // pixel 3 of the byte
        long address = 0xA0000 + 100 * 80 + 10;
        guest.readByte(address); // load the latches
        guest.writeByte(address, 0x0C); // colour 12: light red
        Framebuffer fb = render();
        assertEquals(640, fb.width());
        assertEquals(480, fb.height());
        assertEquals(ega(0x3C), fb.pixel(10 * 8 + 3, 100));
        assertEquals(ega(0x00), fb.pixel(10 * 8 + 2, 100), "bit mask kept the neighbour");
        assertEquals(ega(0x00), fb.pixel(10 * 8 + 4, 100));
    }

    @Test
    void mode12hSetResetFillsAllPlanes() {
        guest.setMode(MODE_12H);
        guest.graphics(StdVga.GC_SET_RESET, 0x09);
        guest.graphics(StdVga.GC_ENABLE_SET_RESET, 0x0F);
        for (int i = 0; i < 80; i++) {
            guest.writeByte(0xA0000 + 479 * 80 + i, 0);
        }
        Framebuffer fb = render();
        assertEquals(ega(0x39), fb.pixel(0, 479));
        assertEquals(ega(0x39), fb.pixel(639, 479));
        assertEquals(ega(0x00), fb.pixel(639, 478));
    }

    @Test
    void mode0dDoublesDotsAndScanLines() {
        guest.setMode(MODE_0DH);
        guest.graphics(StdVga.GC_SET_RESET, 0x0E);
        guest.graphics(StdVga.GC_ENABLE_SET_RESET, 0x0F);
        guest.writeByte(0xA0000 + 199 * 40 + 39, 0);
        Framebuffer fb = render();
        assertEquals(640, fb.width());
        assertEquals(400, fb.height());
        assertEquals(ega(0x16), fb.pixel(639, 399), "attribute palette maps 14 to DAC 0x16");
        assertEquals(ega(0x16), fb.pixel(638, 398), "double scan");
        assertEquals(ega(0x00), fb.pixel(639, 397));
    }

    @Test
    void cgaMode04hInterleavesEvenAndOddLines() {
        guest.setMode(MODE_04H);
        guest.writeByte(0xB8000, 0b00_01_10_11); // line 0, pixels 0-3
        guest.writeByte(0xB8000 + 0x2000 + 79, 0b11_00_00_00); // line 1, pixel 316
        Framebuffer fb = render();
        assertEquals(640, fb.width());
        assertEquals(400, fb.height());
        int[][] expected = {{0, 0x00}, {1, 0x13}, {2, 0x15}, {3, 0x17}};
        for (int[] pixel : expected) {
            for (int scan = 0; scan < 2; scan++) {
                assertEquals(ega(pixel[1]), fb.pixel(2 * pixel[0], scan), "pixel " + pixel[0]);
                assertEquals(ega(pixel[1]), fb.pixel(2 * pixel[0] + 1, scan), "pixel " + pixel[0]);
            }
        }
        assertEquals(ega(0x17), fb.pixel(2 * 316, 2), "line 1 of the picture comes from the odd bank");
        assertEquals(ega(0x17), fb.pixel(2 * 316 + 1, 3));
        assertEquals(ega(0x00), fb.pixel(2 * 316, 0));
        assertEquals(0b00_01_10_11, guest.readByte(0xB8000), "odd/even reads back the CGA byte");
    }

    /** Mode 12h with memory line {@code line} filled with colour {@code color} (set/reset on all planes). */
    private void planarLine(int line, int color) {
        guest.graphics(StdVga.GC_SET_RESET, color);
        guest.graphics(StdVga.GC_ENABLE_SET_RESET, 0x0F);
        for (int i = 0; i < 80; i++) {
            guest.writeByte(0xA0000 + line * 80 + i, 0);
        }
        guest.graphics(StdVga.GC_ENABLE_SET_RESET, 0);
    }

    private void lineCompare(int line) {
        guest.crtc(StdVga.CRTC_LINE_COMPARE, line & 0xFF);
        guest.out(StdVga.CRTC_INDEX_COLOR, StdVga.CRTC_OVERFLOW);
        int overflow = guest.in(StdVga.CRTC_DATA_COLOR);
        guest.out(StdVga.CRTC_DATA_COLOR, (overflow & ~0x10) | (line >> 4 & 0x10));
        guest.out(StdVga.CRTC_INDEX_COLOR, StdVga.CRTC_MAX_SCAN_LINE);
        int maxScan = guest.in(StdVga.CRTC_DATA_COLOR);
        guest.out(StdVga.CRTC_DATA_COLOR, (maxScan & ~0x40) | (line >> 3 & 0x40));
    }

    @Test
    void lineCompareSplitsTheScreenShowingMemoryFromAddressZeroBelow() {
        guest.setMode(MODE_12H);
        planarLine(0, 0x0C);
        planarLine(50, 0x09);
        guest.crtc(StdVga.CRTC_START_ADDRESS_HIGH, (50 * 80) >> 8);
        guest.crtc(StdVga.CRTC_START_ADDRESS_LOW, (50 * 80) & 0xFF);
        lineCompare(300);
        Framebuffer fb = render();
        assertEquals(ega(0x39), fb.pixel(0, 0), "the top starts at the start address (memory line 50)");
        assertEquals(ega(0x00), fb.pixel(0, 300), "line compare itself still shows the upper part");
        assertEquals(ega(0x3C), fb.pixel(0, 301), "the line after it shows memory line 0");
        assertEquals(ega(0x00), fb.pixel(0, 302));
    }

    @Test
    void pelPanningShiftsThePictureLeftExceptInAnExemptSplit() {
        guest.setMode(MODE_12H);
        guest.graphics(StdVga.GC_BIT_MASK, 0x80 >> 2); // pixel 10 of line 0 and of line 0 again below the split
        planarLine(0, 0x0E);
        guest.graphics(StdVga.GC_BIT_MASK, 0xFF);
        guest.attribute(StdVga.ATTR_HORIZONTAL_PEL_PANNING, 3);
        Framebuffer fb = render();
        for (int x = 0; x < 640; x += 8) {
            assertEquals(ega(0x3E), fb.pixel(x + 2 - 3 + (x == 0 ? 8 : 0), 0), "x " + x);
        }
        assertEquals(ega(0x00), fb.pixel(2, 0), "panned away");

        lineCompare(200);
        guest.attribute(StdVga.ATTR_MODE_CONTROL, 0x01 | StdVga.ATTR_MODE_PEL_PANNING_MODE);
        renderer.render();
        assertEquals(ega(0x3E), fb.pixel(7, 0), "upper part panned");
        assertEquals(ega(0x3E), fb.pixel(2, 201), "split part not panned");
        guest.attribute(StdVga.ATTR_MODE_CONTROL, 0x01);
        renderer.render();
        assertEquals(ega(0x3E), fb.pixel(7, 201), "without the exemption the split pans too");
    }

    private void vbeMode(int width, int height, int bpp, int flags) {
        guest.dispi(BochsDispi.INDEX_ENABLE, 0);
        guest.dispi(BochsDispi.INDEX_XRES, width);
        guest.dispi(BochsDispi.INDEX_YRES, height);
        guest.dispi(BochsDispi.INDEX_BPP, bpp);
        guest.dispi(BochsDispi.INDEX_ENABLE, BochsDispi.ENABLED | BochsDispi.LFB_ENABLED | flags);
    }

    private void lfbWrite32(int offset, int value) {
        byte[] vram = vga.memory().bytes();
        for (int i = 0; i < 4; i++) {
            vram[offset + i] = (byte) (value >>> (8 * i));
        }
        vga.memory().markDirty(offset, 4);
    }

    @Test
    void vbe800x600x32ShowsLinearPixels() {
        vbeMode(800, 600, 32, 0);
        lfbWrite32((599 * 800 + 799) * 4, 0x00123456);
        lfbWrite32((10 * 800 + 20) * 4, 0x5AFF8000);
        Framebuffer fb = render();
        assertEquals(800, fb.width());
        assertEquals(600, fb.height());
        assertEquals(0xFF123456, fb.pixel(799, 599));
        assertEquals(0xFFFF8000, fb.pixel(20, 10), "the unused byte of a 32-bit pixel does not show");
        assertEquals(0xFF000000, fb.pixel(21, 10));
    }

    @Test
    void aScanOutNamesTheChangedLinesOfA32BitScreenWithoutDrawingThem() {
        vbeMode(800, 600, 32, 0);
        LinearScanOut first = renderer.scanOut();
        assertEquals(new LinearScanOut(vga.memory().bytes(), 0, 3200, 800, 600, 0, 600), first, "a new mode: every line");
        assertFalse(renderer.scanOut().isDirty(), "nothing written since");

        lfbWrite32((10 * 800 + 20) * 4, 0x00FF8000);
        lfbWrite32((12 * 800 + 799) * 4, 0x00123456);
        LinearScanOut changed = renderer.scanOut();
        // Dirty tracking is by 4 KiB page: line 10's pixel is in page 7 (bytes 28672-32767, lines 8-10),
        // line 12's in page 10 (bytes 40960-45055, lines 12-14).
        assertEquals(8, changed.dirtyTop());
        assertEquals(15, changed.dirtyBottom());

        Framebuffer fb = render();
        assertEquals(0xFFFF8000, fb.pixel(20, 10), "after scan-outs took the dirty pages, a render draws everything");
        assertEquals(0xFF123456, fb.pixel(799, 12));
        LinearScanOut afterRender = renderer.scanOut();
        assertEquals(0, afterRender.dirtyTop());
        assertEquals(600, afterRender.dirtyBottom(), "a render in between: the next scan-out is whole again");
    }

    @Test
    void onlyA32BitScreenInsideVideoMemoryIsScannedOut() {
        vbeMode(640, 480, 16, 0);
        assertNull(renderer.scanOut());
        vbeMode(640, 480, 32, 0);
        guest.dispi(BochsDispi.INDEX_VIRT_WIDTH, 1024);
        guest.dispi(BochsDispi.INDEX_Y_OFFSET, 100);
        assertEquals(100 * 4096, renderer.scanOut().start(), "panned");
        assertEquals(4096, renderer.scanOut().pitch());
        guest.dispi(BochsDispi.INDEX_Y_OFFSET, 4000); // past the end of video memory
        assertNull(renderer.scanOut());
    }

    @Test
    void vbe1024x768x8UsesTheCustomPaletteThroughTheBankedWindow() {
        vbeMode(1024, 768, 8, 0);
        guest.dacEntry(0x42, 0x3F, 0x20, 0x01);
        int offset = 700 * 1024 + 1000; // bank 10, offset 0xAFE8
        guest.dispi(BochsDispi.INDEX_BANK, offset >> 16);
        guest.writeByte(0xA0000 + (offset & 0xFFFF), 0x42);
        Framebuffer fb = render();
        assertEquals(1024, fb.width());
        assertEquals(rgb(new int[] {0x3F, 0x20, 0x01}), fb.pixel(1000, 700));

        vbeMode(1024, 768, 8, BochsDispi.EIGHT_BIT_DAC | BochsDispi.NOCLEARMEM);
        guest.dacEntry(0x42, 0xFE, 0x80, 0x01);
        renderer.render();
        assertEquals(0xFFFE8001, fb.pixel(1000, 700), "8-bit DAC entries are used as they are");
    }

    @Test
    void vbeHighColourModesUnpackChannels() {
        vbeMode(640, 480, 16, 0);
        lfbWrite32(0, 0xF800_07E0); // pixel 0 green, pixel 1 red
        Framebuffer fb = render();
        assertEquals(0xFF00FF00, fb.pixel(0, 0));
        assertEquals(0xFFFF0000, fb.pixel(1, 0));
        vbeMode(640, 480, 24, 0);
        lfbWrite32(0, 0x00FF0000 | 0x0000FF);
        renderer.render();
        assertEquals(0xFFFF00FF, fb.pixel(0, 0));
    }

    @Test
    void vbePanningMovesTheVisibleWindow() {
        vbeMode(640, 480, 32, 0);
        guest.dispi(BochsDispi.INDEX_VIRT_WIDTH, 1024);
        lfbWrite32((100 * 1024 + 300) * 4, 0x00ABCDEF);
        guest.dispi(BochsDispi.INDEX_X_OFFSET, 200);
        guest.dispi(BochsDispi.INDEX_Y_OFFSET, 50);
        Framebuffer fb = render();
        assertEquals(0xFFABCDEF, fb.pixel(100, 50));
    }

    @Test
    void absurdModesGiveBlankOrClampedPictures() {
        guest.setMode(MODE_12H);
        render();
        guest.crtc(StdVga.CRTC_VERTICAL_RETRACE_END, 0x0C);
        guest.crtc(StdVga.CRTC_HORIZONTAL_DISPLAY_END, 0);
        guest.crtc(StdVga.CRTC_VERTICAL_DISPLAY_END, 0);
        guest.crtc(StdVga.CRTC_OVERFLOW, 0);
        guest.crtc(StdVga.CRTC_OFFSET, 0);
        Framebuffer fb = render();
        assertEquals(8, fb.width(), "a one-character-wide mode is eight pixels wide");

        vbeMode(0, 0, 32, 0);
        fb = render();
        for (int p : fb.pixels()) {
            assertEquals(0xFF000000, p, "0x0 is blank");
        }

        vbeMode(640, 480, 32, 0);
        guest.dispi(BochsDispi.INDEX_VIRT_WIDTH, 10);
        guest.dispi(BochsDispi.INDEX_Y_OFFSET, 0xFFFF);
        guest.dispi(BochsDispi.INDEX_X_OFFSET, 0xFFFF);
        fb = render();
        assertEquals(640, fb.width());
        assertEquals(0xFF000000, fb.pixel(639, 479), "offsets past video memory show black");

        vbeMode(0xFFFF, 0xFFFF, 32, 0);
        fb = render();
        assertEquals(VgaRenderer.MAX_WIDTH, fb.width(), "clamped");
        assertEquals(VgaRenderer.MAX_HEIGHT, fb.height());

        vbeMode(640, 480, 7, 0);
        assertDoesNotThrow(() -> renderer.render());
    }

    @Test
    void randomRegisterProgrammingNeverThrows() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 3000; round++) {
            int port = 0x3B0 + random.nextInt(0x30);
            guest.out(port, random.nextInt(256));
            if (random.nextInt(4) == 0) {
                guest.dispi(random.nextInt(BochsDispi.REGISTER_COUNT), random.nextInt(0x10000));
            }
            if (random.nextInt(3) == 0) {
                guest.writeByte(0xA0000 + random.nextInt(0x20000), random.nextInt(256));
            }
            if (round % 25 == 0) {
                now[0] += random.nextInt(50_000_000);
                assertDoesNotThrow(() -> renderer.render(), "round " + round);
            }
        }
    }

    @Test
    void blankedPaletteShowsBlack() {
        textMode();
        guest.putChar(0, 0, 0xDB, 0x0F);
        render();
        guest.in(StdVga.INPUT_STATUS_1_COLOR);
        guest.out(StdVga.ATTRIBUTE_ADDRESS, 0x00); // palette address source cleared: the screen goes dark
        Framebuffer fb = render();
        assertEquals(720, fb.width(), "keeps the size while blank");
        assertEquals(0xFF000000, fb.pixel(firstSetDot(0xDB, 0), 0));
    }
}
