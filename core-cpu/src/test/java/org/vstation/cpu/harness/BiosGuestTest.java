package org.vstation.cpu.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vstation.cpu.Processor;
import org.vstation.cpu.bus.IoBus;
import org.vstation.cpu.bus.PhysicalMemory;

class BiosGuestTest {

    /**
     * A stand-in processor: each run() echoes, on COM1, the byte at one of the
     * given physical addresses (in hex), then the end marker.
     */
    private static ProcessorFactory echoing(long... addresses) {
        return (memory, io, interrupts, clock) -> new Processor() {
            private long retired;

            @Override public void reset() { }

            @Override
            public StopReason run(long budget) {
                StringBuilder line = new StringBuilder();
                for (long address : addresses) line.append(String.format("%02x ", memory.read8(address)));
                print(io, line + "\n" + BiosGuest.END_MARKER + "\n");
                retired += budget;
                return StopReason.BUDGET_EXHAUSTED;
            }

            @Override public void setInterruptRequest(boolean asserted) { }
            @Override public void raiseNmi() { }
            @Override public void requestStop() { }
            @Override public long instructionCount() { return retired; }
            @Override public String describeState() { return "stand-in"; }
        };
    }

    private static void print(IoBus io, String text) {
        for (char c : text.toCharArray()) {
            if ((io.read(TestIoBus.COM1_LSR, 1) & 0x20) != 0) io.write(TestIoBus.COM1_THR, 1, c);
        }
    }

    private static byte[] image(int size) {
        byte[] image = new byte[size];
        image[size - 16] = (byte) 0xEA;                 // at the reset vector
        image[size - 0x10000] = 0x11;                   // first byte of the last 64 KiB
        image[0] = 0x22;
        return image;
    }

    @Test
    void placesA64KiBImageAtTheTopOf4GiBAndBelow1MiB() {
        BiosGuest guest = new BiosGuest(image(0x10000), 1 << 20,
                echoing(0xFFFF_FFF0L, 0xF_FFF0L, 0xF_0000L, 0xFFFF_0000L, 0xE_0000L));
        BiosGuest.Result result = guest.run(1000);
        assertEquals(BiosGuest.Ending.END_MARKER, result.ending());
        assertEquals("ea ea 22 22 00 \n", result.serial());
    }

    @Test
    void mirrorsTheLast128KiBOfALargerImage() {
        BiosGuest guest = new BiosGuest(image(0x20000), 1 << 20,
                echoing(0xFFFF_FFF0L, 0xF_FFF0L, 0xF_0000L, 0xE_0000L, 0xFFFE_0000L));
        assertEquals("ea ea 11 22 22 \n", guest.run(1000).serial());
    }

    @Test
    void romIgnoresWrites() {
        BiosGuest guest = new BiosGuest(image(0x10000), 1 << 20, echoing(0xF_FFF0L));
        guest.memory().write8(0xF_FFF0L, 0x90);
        assertEquals("ea \n", guest.run(1000).serial());
    }

    @Test
    void capturesTheDebugConsolesAndTheExitPort() {
        TestIoBus io = new TestIoBus();
        io.write(TestIoBus.DEBUG_CONSOLE, 1, 'a');
        io.write(TestIoBus.QEMU_DEBUG_CONSOLE, 1, 'b');
        io.write(TestIoBus.DEBUG_EXIT, 1, 0x31);
        assertEquals("ab", io.debugText());
        assertEquals(0x31, io.exitValue());
        assertEquals(0xFF, io.read(0x60, 1));
        assertEquals(0xFFFF, io.read(0x60, 2));
    }

    @Test
    void stopsAtTheBudgetWhenTheGuestNeverEnds() {
        BiosGuest guest = new BiosGuest(image(0x10000), PhysicalMemory.PAGE_SIZE * 16,
                (memory, io, interrupts, clock) -> new Processor() {
                    private long retired;
                    @Override public void reset() { }
                    @Override public StopReason run(long budget) { retired += budget; return StopReason.BUDGET_EXHAUSTED; }
                    @Override public void setInterruptRequest(boolean asserted) { }
                    @Override public void raiseNmi() { }
                    @Override public void requestStop() { }
                    @Override public long instructionCount() { return retired; }
                    @Override public String describeState() { return "spinning"; }
                });
        BiosGuest.Result result = guest.run(1_000_000);
        assertEquals(BiosGuest.Ending.BUDGET, result.ending());
        assertEquals("spinning", result.state());
    }
}
