package org.vstation.manager.net;

import static org.vstation.manager.net.Frames.u16;
import static org.vstation.manager.net.Frames.u32;
import static org.vstation.manager.net.Frames.u8;

/** The fields of one TCP segment from the guest (RFC 793 header, MSS option from RFC 879), data by reference. */
record TcpSegment(int sequence, int acknowledgment, int flags, int window, int mss,
                  byte[] frame, int dataOffset, int dataLength) {
    static final int OPTION_END = 0;
    static final int OPTION_NOP = 1;
    static final int OPTION_MSS = 2;

    static TcpSegment parse(byte[] frame, int at, int length, int headerLength) {
        int mss = 0;
        int option = at + Frames.TCP_HEADER;
        int end = at + headerLength;
        while (option < end) {
            int kind = u8(frame, option);
            if (kind == OPTION_END) {
                break;
            }
            if (kind == OPTION_NOP) {
                option++;
                continue;
            }
            if (option + 1 >= end || u8(frame, option + 1) < 2) {
                break; // a broken option list ends parsing; the segment itself is still good
            }
            int size = u8(frame, option + 1);
            if (kind == OPTION_MSS && size == 4 && option + 4 <= end) {
                mss = u16(frame, option + 2);
            }
            option += size;
        }
        return new TcpSegment(u32(frame, at + 4), u32(frame, at + 8), u8(frame, at + 13), u16(frame, at + 14), mss,
                frame, at + headerLength, length - headerLength);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
