package org.vstation.devices.chipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoprocessorErrorLatchTest {
    private final List<Boolean> levels = new ArrayList<>();
    private final CoprocessorErrorLatch latch = new CoprocessorErrorLatch(levels::add);

    private boolean irq13() {
        return levels.get(levels.size() - 1);
    }

    @Test
    void ferrRaisesIrq13UntilPortF0IsWritten() {
        latch.setFerr(true);
        assertTrue(irq13());
        latch.ioWrite(0, 1, 0);
        assertFalse(irq13());
        assertTrue(latch.ignoringErrors(), "IGNNE# holds while FERR# is asserted");
        latch.setFerr(true);
        assertFalse(irq13(), "no new IRQ 13 while errors are ignored");
        latch.setFerr(false);
        assertFalse(latch.ignoringErrors());
        latch.setFerr(true);
        assertTrue(irq13(), "the next error is reported again");
    }

    @Test
    void writingPortF0WithoutAnErrorIgnoresNothing() {
        latch.ioWrite(0, 1, 0);
        assertFalse(latch.ignoringErrors());
        assertEquals(0xFF, latch.ioRead(0, 1));
    }

    @Test
    void snapshotKeepsTheLatch() throws Exception {
        latch.setFerr(true);
        latch.ioWrite(0, 1, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        latch.saveState(new DataOutputStream(bytes));
        List<Boolean> otherLevels = new ArrayList<>();
        CoprocessorErrorLatch copy = new CoprocessorErrorLatch(otherLevels::add);
        copy.restoreState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(copy.ignoringErrors());
        assertFalse(otherLevels.get(otherLevels.size() - 1));
    }
}
