package org.vstation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoded blocks must behave exactly like instruction-by-instruction execution. */
class BlockExecutionTest {

    @Test
    void repStringInstructionThatYieldsMidWayDoesNotLetTheRestOfTheBlockRun() {
        // 10000 iterations exceed one batch, so REP STOSB rewinds EIP to itself part-way;
        // the OUT after it must see only the finished count.
        GuestRunner guest = new GuestRunner().load("""
                    xor ax, ax
                    mov es, ax
                    mov di, 0x4000
                    mov cx, 10000
                    mov al, 0x5A
                    cld
                    rep stosb
                    mov ax, cx
                    out 0xEA, ax
                    mov ax, di
                    out 0xEA, ax
                    hlt
                """);
        assertEquals(Processor.StopReason.HALTED, guest.runToHalt(100_000));
        assertEquals(List.of(0, 0x4000 + 10000), guest.values);
        assertEquals(0x5A, guest.memory.read8(0x4000 + 9999));
        assertEquals(0, guest.memory.read8(0x4000 + 10000));
    }
}
