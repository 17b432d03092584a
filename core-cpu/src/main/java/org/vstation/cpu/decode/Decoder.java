package org.vstation.cpu.decode;

import static org.vstation.cpu.decode.OpcodeTable.*;

/**
 * Turns instruction bytes into an {@link Instruction}: prefixes, opcode,
 * ModR/M and SIB in their 16- and 32-bit forms, displacement and
 * immediates (Intel SDM vol. 2, chapter 2). Driven by {@link OpcodeTable}.
 */
public final class Decoder {
    private Decoder() {}

    /** Where the bytes come from: offsets are relative to the first prefix byte. */
    public interface CodeSource {
        int codeByte(int offset);
    }

    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    /** Architectural limit on instruction length (SDM vol. 2, 2.3.11); longer raises #GP(0). */
    public static final int MAX_LENGTH = 15;

    private static final int BX = 3, SP = 4, BP = 5, SI = 6, DI = 7;
    private static final int[] BASE16 = {BX, BX, BP, BP, SI, DI, BP, BX};
    private static final int[] INDEX16 = {SI, DI, SI, DI, -1, -1, -1, -1};

    public static void decode(Instruction in, CodeSource code, boolean code32) {
        boolean operand32 = code32;
        boolean address32 = code32;
        int segment = -1;
        int repeat = 0;
        boolean lock = false;
        int pos = 0;
        int opcode;
        while (true) {
            if (pos >= MAX_LENGTH) {
                tooLong(in);
                return;
            }
            int b = code.codeByte(pos++);
            switch (b) {
                case 0x26 -> segment = ES;
                case 0x2E -> segment = CS;
                case 0x36 -> segment = SS;
                case 0x3E -> segment = DS;
                case 0x64 -> segment = FS;
                case 0x65 -> segment = GS;
                case 0x66 -> operand32 = !code32;
                case 0x67 -> address32 = !code32;
                case 0xF0 -> lock = true;
                case 0xF2, 0xF3 -> repeat = b;
                default -> {
                    opcode = b;
                    if (b == 0x0F) {
                        if (pos >= MAX_LENGTH) {
                            tooLong(in);
                            return;
                        }
                        opcode = 0x100 | code.codeByte(pos++);
                    }
                    in.opcode = opcode;
                    in.repeat = repeat;
                    in.lock = lock;
                    in.operandSize32 = operand32;
                    in.addressSize32 = address32;
                    in.segmentOverride = segment >= 0;
                    decodeBody(in, code, pos, segment);
                    return;
                }
            }
        }
    }

    private static void tooLong(Instruction in) {
        in.op = Op.TOO_LONG;
        in.hotForm = HotForm.GENERAL;
        in.length = MAX_LENGTH;
        in.endsBlock = true;
        in.hasModrm = false;
        in.mod = 3;
    }

    private static void decodeBody(Instruction in, CodeSource code, int pos, int segment) {
        int opcode = in.opcode;
        int handler = handler(opcode);
        int form = form(opcode);
        in.base = -1;
        in.index = -1;
        in.scale = 0;
        in.displacement = 0;
        in.immediate = 0;
        in.immediate2 = 0;
        in.mod = 3;
        in.reg = 0;
        in.rm = 0;
        in.modrm = 0;
        in.hasModrm = (form & MODRM) != 0;
        if (in.hasModrm) {
            int modrm = code.codeByte(pos++);
            in.modrm = modrm;
            in.mod = modrm >>> 6;
            in.reg = (modrm >>> 3) & 7;
            in.rm = modrm & 7;
            if (isGroup(opcode)) {
                handler = groupHandler(opcode, in.reg);
                form = groupForm(opcode, in.reg);
            }
            if ((form & REGISTER_ONLY) != 0) {
                in.mod = 3;
            }
            if (in.mod != 3) {
                pos = in.addressSize32 ? decodeAddress32(in, code, pos) : decodeAddress16(in, code, pos);
            }
        }
        if (segment < 0) {
            segment = (in.mod != 3 && (in.base == BP || in.base == SP)) ? SS : DS;
        }
        in.segment = segment;
        in.size = (form & BYTE) != 0 ? 0 : (form & WORD) != 0 ? 1 : (form & DWORD) != 0 ? 2 : in.operandSize32 ? 2 : 1;

        if ((form & IMM8) != 0 && (form & IMM16_IMM8) == 0) {
            in.immediate = (byte) code.codeByte(pos++);
        } else if ((form & IMM16) != 0) {
            in.immediate = code.codeByte(pos) | code.codeByte(pos + 1) << 8;
            pos += 2;
        } else if ((form & (IMMZ | FAR_POINTER)) != 0) {
            if (in.operandSize32) {
                in.immediate = fetch32(code, pos);
                pos += 4;
            } else {
                in.immediate = (short) (code.codeByte(pos) | code.codeByte(pos + 1) << 8);
                pos += 2;
            }
            if ((form & FAR_POINTER) != 0) {
                in.immediate &= in.operandSize32 ? -1 : 0xFFFF;
                in.immediate2 = code.codeByte(pos) | code.codeByte(pos + 1) << 8;
                pos += 2;
            }
        } else if ((form & MOFFS) != 0) {
            if (in.addressSize32) {
                in.displacement = fetch32(code, pos);
                pos += 4;
            } else {
                in.displacement = code.codeByte(pos) | code.codeByte(pos + 1) << 8;
                pos += 2;
            }
            in.mod = 0;
        } else if ((form & IMM16_IMM8) != 0) {
            in.immediate = code.codeByte(pos) | code.codeByte(pos + 1) << 8;
            in.immediate2 = code.codeByte(pos + 2);
            pos += 3;
        }
        if (pos > MAX_LENGTH) {
            tooLong(in);
            return;
        }
        in.length = pos;

        if (((form & MEMORY_ONLY) != 0 && in.mod == 3)
                || (in.lock && ((form & LOCKABLE) == 0 || in.mod == 3))) {
            handler = Op.UD;
        }
        in.op = handler;
        in.hotForm = HotForm.of(in);
        in.endsBlock = (form & ENDS_BLOCK) != 0 || handler == Op.UD;
    }

    private static int fetch32(CodeSource code, int pos) {
        return code.codeByte(pos) | code.codeByte(pos + 1) << 8 | code.codeByte(pos + 2) << 16 | code.codeByte(pos + 3) << 24;
    }

    private static int decodeAddress16(Instruction in, CodeSource code, int pos) {
        int mod = in.mod;
        int rm = in.rm;
        if (mod == 0 && rm == 6) {
            in.displacement = code.codeByte(pos) | code.codeByte(pos + 1) << 8;
            return pos + 2;
        }
        in.base = BASE16[rm];
        in.index = INDEX16[rm];
        if (mod == 1) {
            in.displacement = (byte) code.codeByte(pos++);
        } else if (mod == 2) {
            in.displacement = (short) (code.codeByte(pos) | code.codeByte(pos + 1) << 8);
            pos += 2;
        }
        return pos;
    }

    private static int decodeAddress32(Instruction in, CodeSource code, int pos) {
        int mod = in.mod;
        int rm = in.rm;
        if (rm == 4) {
            int sib = code.codeByte(pos++);
            int base = sib & 7;
            int index = (sib >>> 3) & 7;
            in.scale = sib >>> 6;
            in.index = index == 4 ? -1 : index;
            if (base == 5 && mod == 0) {
                in.displacement = fetch32(code, pos);
                return pos + 4;
            }
            in.base = base;
        } else if (rm == 5 && mod == 0) {
            in.displacement = fetch32(code, pos);
            return pos + 4;
        } else {
            in.base = rm;
        }
        if (mod == 1) {
            in.displacement = (byte) code.codeByte(pos++);
        } else if (mod == 2) {
            in.displacement = fetch32(code, pos);
            pos += 4;
        }
        return pos;
    }
}
