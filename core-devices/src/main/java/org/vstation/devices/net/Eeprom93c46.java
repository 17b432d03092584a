package org.vstation.devices.net;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The 93C46 serial EEPROM beside an RTL8139 (64 words of 16 bits), driven by
 * bit-banging through the chip's Cfg9346 register. Follows the 93C46
 * datasheet: with CS high, a 1 start bit, a 2-bit opcode and a 6-bit address
 * are clocked in on rising SK edges; for READ the part then drives a dummy 0
 * and shifts the word out MSB first, one bit per rising edge. Only READ is
 * implemented (the driver never writes; EWEN/ERASE/WRITE are accepted and ignored).
 */
public final class Eeprom93c46 {
    public static final int WORDS = 64;
    private static final int ADDRESS_BITS = 6;
    private static final int OPCODE_READ = 0b10;

    private enum Phase { IDLE, COMMAND, READING }

    private final short[] words = new short[WORDS];
    private Phase phase = Phase.IDLE;
    private boolean chipSelect;
    private boolean clock;
    /** Bits of opcode and address collected after the start bit. */
    private int command;
    private int commandBits;
    private int shiftOut;
    private int bitsLeft;
    private boolean dataOut;

    public int word(int address) {
        return words[address & (WORDS - 1)] & 0xFFFF;
    }

    public void setWord(int address, int value) {
        words[address & (WORDS - 1)] = (short) value;
    }

    /** Drives the pins: chip select, serial clock and data in. */
    public void setPins(boolean cs, boolean sk, boolean di) {
        if (!cs) {
            phase = Phase.IDLE;
            chipSelect = false;
            clock = sk;
            dataOut = false;
            return;
        }
        if (!chipSelect) {
            phase = Phase.IDLE;
            chipSelect = true;
        }
        boolean risingEdge = sk && !clock;
        clock = sk;
        if (risingEdge) {
            clockRisingEdge(di);
        }
    }

    /** DO, the data output pin. */
    public boolean dataOut() {
        return dataOut;
    }

    private void clockRisingEdge(boolean di) {
        switch (phase) {
            case IDLE -> {
                if (di) { // leading zeros before the start bit are ignored
                    phase = Phase.COMMAND;
                    command = 0;
                    commandBits = 0;
                }
            }
            case COMMAND -> {
                command = (command << 1) | (di ? 1 : 0);
                if (++commandBits == 2 + ADDRESS_BITS) {
                    int opcode = command >>> ADDRESS_BITS;
                    if (opcode == OPCODE_READ) {
                        shiftOut = word(command & (WORDS - 1));
                        bitsLeft = 16;
                        dataOut = false; // the dummy zero
                        phase = Phase.READING;
                    } else {
                        phase = Phase.IDLE;
                    }
                }
            }
            case READING -> {
                if (bitsLeft == 0) {
                    // Sequential read: the next word follows without a new command.
                    command = (command & ~(WORDS - 1)) | ((command + 1) & (WORDS - 1));
                    shiftOut = word(command & (WORDS - 1));
                    bitsLeft = 16;
                }
                bitsLeft--;
                dataOut = ((shiftOut >>> bitsLeft) & 1) != 0;
            }
        }
    }

    void saveState(DataOutput out) throws IOException {
        for (short w : words) {
            out.writeShort(w);
        }
        out.writeByte(phase.ordinal());
        out.writeBoolean(chipSelect);
        out.writeBoolean(clock);
        out.writeInt(command);
        out.writeInt(commandBits);
        out.writeInt(shiftOut);
        out.writeInt(bitsLeft);
        out.writeBoolean(dataOut);
    }

    void restoreState(DataInput in) throws IOException {
        for (int i = 0; i < WORDS; i++) {
            words[i] = in.readShort();
        }
        phase = Phase.values()[in.readByte()];
        chipSelect = in.readBoolean();
        clock = in.readBoolean();
        command = in.readInt();
        commandBits = in.readInt();
        shiftOut = in.readInt();
        bitsLeft = in.readInt();
        dataOut = in.readBoolean();
    }
}
