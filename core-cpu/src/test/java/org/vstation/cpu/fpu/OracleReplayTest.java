package org.vstation.cpu.fpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The "within one ulp" numbering the transcendental comparison relies on. */
class OracleReplayTest {
    private static final long INTEGER_BIT = 0x8000_0000_0000_0000L;

    private static BigInteger distance(int se, long sig, int otherSe, long otherSig) {
        return OracleReplay.ordinal(se, sig).subtract(OracleReplay.ordinal(otherSe, otherSig)).abs();
    }

    @Test
    void neighboursAcrossAnExponentStepAreOneApart() {
        assertEquals(BigInteger.ONE, distance(0x3FFF, INTEGER_BIT, 0x3FFE, -1L), "1.0 and the value just below");
        assertEquals(BigInteger.ONE, distance(0x0001, INTEGER_BIT, 0x0000, Long.MAX_VALUE),
                "the smallest normal and the largest denormal");
        assertEquals(BigInteger.ZERO, distance(0x0000, INTEGER_BIT, 0x0001, INTEGER_BIT),
                "a pseudo-denormal equals the normal with exponent 1");
    }

    @Test
    void valuesFourTimesApartAreFarApart() {
        // Same significand, exponents two apart: 2^64 representable values, which a 64-bit count wraps to zero.
        assertEquals(BigInteger.ONE.shiftLeft(64), distance(0x4001, INTEGER_BIT | 12345, 0x3FFF, INTEGER_BIT | 12345));
    }
}
