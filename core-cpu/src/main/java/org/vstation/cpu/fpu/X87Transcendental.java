package org.vstation.cpu.fpu;

final class X87Transcendental {
    static final int F2XM1 = 0, FYL2X = 1, FPTAN = 2, FPATAN = 3, FYL2XP1 = 4, FSINCOS = 5, FSIN = 6, FCOS = 7;
    private final ExtendedArithmetic unit;
    int secondSignExponent;
    long secondSignificand;

    X87Transcendental(ExtendedArithmetic unit) {
        this.unit = unit;
    }

    boolean unary(int function, int se, long sig) {
        unit.invalid();
        return true;
    }

    void binary(int function, int ySe, long ySig, int xSe, long xSig) {
        unit.invalid();
    }
}
