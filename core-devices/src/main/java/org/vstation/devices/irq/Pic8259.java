package org.vstation.devices.irq;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;
import org.vstation.devices.bus.IoDevice;
import org.vstation.devices.snapshot.Snapshottable;

/**
 * One Intel 8259A programmable interrupt controller, as integrated in the PIIX3.
 * Follows the Intel 8259A datasheet (order 231468) and PIIX3 datasheet section 2.7 (ELCR).
 *
 * <p>Two ports: offset 0 takes ICW1, OCW2 and OCW3 and reads IRR/ISR (or the
 * poll word); offset 1 takes ICW2-ICW4 during initialisation, then OCW1 (IMR).
 * Edge-triggered inputs latch a rising edge in IRR until it is acknowledged;
 * level-triggered inputs (ELCR) show the line in IRR for as long as it is high.
 * The INT output is pushed to {@code intOutput} whenever it changes. The pair
 * wiring (cascade, vectors for INTA) lives in {@link DualPic}.
 */
public final class Pic8259 implements IoDevice, Snapshottable {
    public static final int COMMAND = 0;
    public static final int DATA = 1;

    private static final int ICW1 = 0x10;
    private static final int ICW1_IC4 = 0x01;
    private static final int ICW1_SNGL = 0x02;
    private static final int OCW3 = 0x08;
    private static final int OCW3_RIS = 0x01;
    private static final int OCW3_RR = 0x02;
    private static final int OCW3_POLL = 0x04;
    private static final int OCW3_SMM = 0x20;
    private static final int OCW3_ESMM = 0x40;
    private static final int ICW4_AEOI = 0x02;
    private static final int ICW4_SFNM = 0x10;

    // OCW2 R, SL, EOI bits (datasheet table "OCW2").
    private static final int OCW2_ROTATE_AEOI_CLEAR = 0x00;
    private static final int OCW2_NON_SPECIFIC_EOI = 0x20;
    private static final int OCW2_NOP = 0x40;
    private static final int OCW2_SPECIFIC_EOI = 0x60;
    private static final int OCW2_ROTATE_AEOI_SET = 0x80;
    private static final int OCW2_ROTATE_NON_SPECIFIC_EOI = 0xA0;
    private static final int OCW2_SET_PRIORITY = 0xC0;
    private static final int OCW2_ROTATE_SPECIFIC_EOI = 0xE0;

    /** What offset 1 expects next. */
    private static final int EXPECT_OCW1 = 0;
    private static final int EXPECT_ICW2 = 2;
    private static final int EXPECT_ICW3 = 3;
    private static final int EXPECT_ICW4 = 4;

    private final String name;
    /** The IR input the slave's INT feeds on a master, or -1 (PC wiring: IR2). */
    private final int cascadeInput;
    private Consumer<Boolean> intOutput = level -> { };

    private int irr;
    private int isr;
    private int imr;
    private int inputLevels;
    private int levelTriggered;
    private int vectorBase;
    private int icw1;
    private int icw3;
    private int icw4;
    private int expect = EXPECT_OCW1;
    /** The IR with the lowest priority; IR (lowestPriority+1)&7 has the highest. */
    private int lowestPriority = 7;
    private boolean readIsr;
    private boolean pollNext;
    private boolean specialMask;
    private boolean rotateOnAutoEoi;
    private boolean outputHigh;

    Pic8259(String name, int cascadeInput) {
        this.name = name;
        this.cascadeInput = cascadeInput;
    }

    @Override
    public String name() {
        return name;
    }

    void connectOutput(Consumer<Boolean> output) {
        intOutput = output;
    }

    // ---- inputs -----------------------------------------------------------

    /** Drives input IR{@code ir}; edge inputs latch the rising edge, level inputs follow the line. */
    public void setInput(int ir, boolean high) {
        int bit = 1 << ir;
        boolean wasHigh = (inputLevels & bit) != 0;
        if (high) {
            inputLevels |= bit;
            if (!wasHigh || (levelTriggered & bit) != 0) {
                irr |= bit;
            }
        } else {
            inputLevels &= ~bit;
            if ((levelTriggered & bit) != 0) {
                irr &= ~bit; // a level request withdrawn before INTA is gone
            }
        }
        updateOutput();
    }

    /** Edge/level per input, as the PIIX3 ELCR programs it (1 = level). */
    public int levelTriggeredMask() {
        return levelTriggered;
    }

    public void setLevelTriggeredMask(int mask) {
        levelTriggered = mask & 0xFF;
        irr = (irr & ~levelTriggered) | (inputLevels & levelTriggered);
        updateOutput();
    }

    // ---- priority resolution -------------------------------------------------

    private int priorityOf(int ir) {
        return (ir - lowestPriority - 1) & 7; // 0 is the highest priority
    }

    /** The highest-priority IR set in {@code bits}, or -1. */
    private int highest(int bits) {
        if (bits == 0) return -1;
        for (int p = 0; p < 8; p++) {
            int ir = (lowestPriority + 1 + p) & 7;
            if ((bits & (1 << ir)) != 0) return ir;
        }
        return -1;
    }

    /**
     * The request the chip would present at the next INTA, or -1. In special
     * mask mode only masked in-service levels stop lower ones (datasheet,
     * "Special Mask Mode"); in special fully nested mode a request on the
     * cascade input gets through while the cascade input is in service.
     */
    int pendingRequest() {
        int request = highest(irr & ~imr);
        if (request < 0) return -1;
        int blocking = specialMask ? isr & ~imr : isr;
        int inService = highest(blocking);
        if (inService < 0) return request;
        int requestPriority = priorityOf(request);
        int inServicePriority = priorityOf(inService);
        if (requestPriority < inServicePriority) return request;
        if (requestPriority == inServicePriority && request == cascadeInput && (icw4 & ICW4_SFNM) != 0) {
            return request;
        }
        return -1;
    }

    boolean output() {
        return outputHigh;
    }

    private void updateOutput() {
        boolean high = expect == EXPECT_OCW1 && pendingRequest() >= 0;
        if (high != outputHigh) {
            outputHigh = high;
            intOutput.accept(high);
        }
    }

    /** The INTA cycle for request {@code ir}: IRR to ISR (or not, in auto-EOI). */
    void acknowledge(int ir) {
        int bit = 1 << ir;
        if ((levelTriggered & bit) == 0) {
            irr &= ~bit;
        }
        if ((icw4 & ICW4_AEOI) != 0) {
            if (rotateOnAutoEoi) lowestPriority = ir;
        } else {
            isr |= bit;
        }
        updateOutput();
    }

    int vectorBase() {
        return vectorBase;
    }

    boolean isSlaveAttachedAt(int ir) {
        return ir == cascadeInput && (icw1 & ICW1_SNGL) == 0 && (icw3 & (1 << ir)) != 0;
    }

    // ---- register protocol -----------------------------------------------------

    @Override
    public int ioRead(int offset, int size) {
        if (pollNext) {
            pollNext = false;
            return pollWord();
        }
        if ((offset & 1) == DATA) {
            return imr;
        }
        return readIsr ? isr : irr;
    }

    /** Poll mode: the read acknowledges like INTA and returns 0x80|level, or 0 with nothing pending. */
    private int pollWord() {
        int ir = pendingRequest();
        if (ir < 0) return 0;
        acknowledge(ir);
        return 0x80 | ir;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        value &= 0xFF;
        if ((offset & 1) == COMMAND) {
            if ((value & ICW1) != 0) {
                writeIcw1(value);
            } else if ((value & OCW3) != 0) {
                writeOcw3(value);
            } else {
                writeOcw2(value);
            }
        } else {
            writeData(value);
        }
        updateOutput();
    }

    /**
     * ICW1 starts initialisation: IMR cleared, IR7 lowest priority, special
     * mask off, IRR selected for reads, ICW4 functions cleared if IC4 = 0, and
     * edge inputs need a new rising edge. LTIM (bit 3) is ignored: on the
     * PIIX3 the ELCR selects edge or level (PIIX3 datasheet, ICW1 bit 3).
     */
    private void writeIcw1(int value) {
        icw1 = value;
        imr = 0;
        isr = 0;
        irr = inputLevels & levelTriggered;
        lowestPriority = 7;
        specialMask = false;
        readIsr = false;
        pollNext = false;
        rotateOnAutoEoi = false;
        if ((value & ICW1_IC4) == 0) {
            icw4 = 0;
        }
        expect = EXPECT_ICW2;
    }

    private void writeData(int value) {
        switch (expect) {
            case EXPECT_ICW2 -> {
                vectorBase = value & 0xF8;
                if ((icw1 & ICW1_SNGL) == 0) {
                    expect = EXPECT_ICW3;
                } else {
                    expect = (icw1 & ICW1_IC4) != 0 ? EXPECT_ICW4 : EXPECT_OCW1;
                }
            }
            case EXPECT_ICW3 -> {
                icw3 = value;
                expect = (icw1 & ICW1_IC4) != 0 ? EXPECT_ICW4 : EXPECT_OCW1;
            }
            case EXPECT_ICW4 -> {
                icw4 = value & 0x1F;
                expect = EXPECT_OCW1;
            }
            default -> imr = value;
        }
    }

    private void writeOcw2(int value) {
        int level = value & 7;
        switch (value & 0xE0) {
            case OCW2_NON_SPECIFIC_EOI -> endOfInterrupt(highest(isr), false);
            case OCW2_SPECIFIC_EOI -> endOfInterrupt(level, false);
            case OCW2_ROTATE_NON_SPECIFIC_EOI -> endOfInterrupt(highest(isr), true);
            case OCW2_ROTATE_SPECIFIC_EOI -> endOfInterrupt(level, true);
            case OCW2_SET_PRIORITY -> lowestPriority = level;
            case OCW2_ROTATE_AEOI_SET -> rotateOnAutoEoi = true;
            case OCW2_ROTATE_AEOI_CLEAR -> rotateOnAutoEoi = false;
            case OCW2_NOP -> { }
            default -> throw new IllegalStateException("unreachable OCW2 " + value);
        }
    }

    private void endOfInterrupt(int ir, boolean rotate) {
        if (ir < 0) return;
        isr &= ~(1 << ir);
        if (rotate) lowestPriority = ir;
    }

    private void writeOcw3(int value) {
        if ((value & OCW3_ESMM) != 0) {
            specialMask = (value & OCW3_SMM) != 0;
        }
        if ((value & OCW3_RR) != 0) {
            readIsr = (value & OCW3_RIS) != 0;
        }
        pollNext = (value & OCW3_POLL) != 0;
    }

    /** RESET: back to the uninitialised state (mask clear, vectors 0, IR7 lowest); ELCR is the PIIX3's and stays. */
    void reset() {
        irr = inputLevels & levelTriggered;
        isr = 0;
        imr = 0;
        vectorBase = 0;
        icw1 = 0;
        icw3 = 0;
        icw4 = 0;
        expect = EXPECT_OCW1;
        lowestPriority = 7;
        readIsr = false;
        pollNext = false;
        specialMask = false;
        rotateOnAutoEoi = false;
        updateOutput();
    }

    // ---- views for tests and the debugger ------------------------------------------

    public int irr() {
        return irr;
    }

    public int isr() {
        return isr;
    }

    public int imr() {
        return imr;
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeInt(1);
        int[] registers = {irr, isr, imr, inputLevels, levelTriggered, vectorBase, icw1, icw3, icw4, expect, lowestPriority};
        for (int r : registers) out.writeInt(r);
        out.writeBoolean(readIsr);
        out.writeBoolean(pollNext);
        out.writeBoolean(specialMask);
        out.writeBoolean(rotateOnAutoEoi);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException(name + ": unsupported 8259 state version " + version);
        }
        irr = in.readInt();
        isr = in.readInt();
        imr = in.readInt();
        inputLevels = in.readInt();
        levelTriggered = in.readInt();
        vectorBase = in.readInt();
        icw1 = in.readInt();
        icw3 = in.readInt();
        icw4 = in.readInt();
        expect = in.readInt();
        lowestPriority = in.readInt();
        readIsr = in.readBoolean();
        pollNext = in.readBoolean();
        specialMask = in.readBoolean();
        rotateOnAutoEoi = in.readBoolean();
        outputHigh = expect == EXPECT_OCW1 && pendingRequest() >= 0;
        intOutput.accept(outputHigh);
    }
}
