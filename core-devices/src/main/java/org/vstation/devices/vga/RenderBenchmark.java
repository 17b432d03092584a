package org.vstation.devices.vga;

import java.io.PrintStream;
import org.vstation.devices.bus.IoPortBus;
import org.vstation.devices.vga.render.VgaRenderer;

/**
 * {@code vstation bench vga}: frames per second of the renderer for full
 * redraws of an 80x25 text screen and of a 1024x768x32 VBE framebuffer, and
 * the cost of a frame in which nothing changed (which must be near zero).
 *
 * <p>Arguments: {@code [milliseconds per measurement]}, default 2000.
 */
public final class RenderBenchmark {
    private RenderBenchmark() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    public static int run(String[] args, PrintStream out) {
        long millis;
        try {
            millis = args.length > 0 ? Long.parseLong(args[0]) : 2000;
        } catch (NumberFormatException e) {
            out.println("usage: vstation bench vga [milliseconds per measurement]");
            return 2;
        }
        long budget = Math.max(1, millis) * 1_000_000;

        StdVga vga = new StdVga(StdVga.DEFAULT_VIDEO_MEMORY, null, System::nanoTime);
        IoPortBus ports = new IoPortBus();
        ports.place(vga.legacyPorts(), StdVga.LEGACY_PORT_BASE, StdVga.LEGACY_PORT_COUNT);
        ports.place(vga.dispiPorts(), StdVga.DISPI_PORT_BASE, StdVga.DISPI_PORT_COUNT);
        VgaRenderer renderer = new VgaRenderer(vga);

        StandardModes.program(ports, StandardModes.MODE_03H);
        fillText(vga);
        out.printf("text 80x25 (720x400), full redraw:   %s%n", rate(measure(renderer, vga, true, budget)));
        out.printf("text 80x25, nothing changed:         %s%n", cost(measure(renderer, vga, false, budget)));

        setVbeMode(ports, 1024, 768, 32);
        fillFramebuffer(vga, 1024 * 768 * 4);
        out.printf("VBE 1024x768x32, full redraw:        %s%n", rate(measure(renderer, vga, true, budget)));
        out.printf("VBE 1024x768x32, nothing changed:    %s%n", cost(measure(renderer, vga, false, budget)));
        return 0;
    }

    /** Characters and attributes in planes 0 and 1 and a font in plane 2, written straight into video memory. */
    private static void fillText(StdVga vga) {
        byte[] vram = vga.memory().bytes();
        for (int cell = 0; cell < 80 * 25; cell++) {
            int planeAddress = 2 * cell;
            vram[planeAddress * 4] = (byte) (cell * 7);
            vram[planeAddress * 4 + 1] = (byte) (cell * 13);
        }
        for (int character = 0; character < 256; character++) {
            for (int row = 0; row < 16; row++) {
                vram[(character * 32 + row) * 4 + 2] = (byte) (character * 31 + row * 17);
            }
        }
        vga.memory().markAllDirty();
    }

    private static void fillFramebuffer(StdVga vga, int bytes) {
        byte[] vram = vga.memory().bytes();
        for (int i = 0; i < bytes; i++) {
            vram[i] = (byte) (i * 2654435761L >>> 24);
        }
        vga.memory().markAllDirty();
    }

    private static void setVbeMode(IoPortBus ports, int width, int height, int bpp) {
        int[][] writes = {{BochsDispi.INDEX_ENABLE, 0}, {BochsDispi.INDEX_XRES, width}, {BochsDispi.INDEX_YRES, height},
                {BochsDispi.INDEX_BPP, bpp}, {BochsDispi.INDEX_ENABLE, BochsDispi.ENABLED | BochsDispi.LFB_ENABLED}};
        for (int[] write : writes) {
            ports.write(StdVga.DISPI_PORT_BASE, 2, write[0]);
            ports.write(StdVga.DISPI_PORT_BASE + 1, 2, write[1]);
        }
    }

    /** Renders frames for the time budget (after a warm-up); returns nanoseconds per frame. */
    private static double measure(VgaRenderer renderer, StdVga vga, boolean everythingChanged, long budget) {
        for (int warmup = 0; warmup < 200; warmup++) {
            frame(renderer, vga, everythingChanged);
        }
        long frames = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (int i = 0; i < 20; i++) {
                frame(renderer, vga, everythingChanged);
            }
            frames += 20;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return (double) elapsed / frames;
    }

    private static void frame(VgaRenderer renderer, StdVga vga, boolean everythingChanged) {
        if (everythingChanged) {
            vga.memory().markAllDirty();
        }
        renderer.render();
    }

    private static String rate(double nanosPerFrame) {
        return String.format("%8.0f frames/s (%.3f ms/frame)", 1e9 / nanosPerFrame, nanosPerFrame / 1e6);
    }

    private static String cost(double nanosPerFrame) {
        return String.format("%8.2f microseconds/frame", nanosPerFrame / 1e3);
    }
}
