package org.vstation.cpu.fpu;

import java.math.BigInteger;

/**
 * A binary value {@code mantissa × 2^exponent} carried to {@link #PRECISION} bits, for evaluating the
 * transcendental instructions well beyond the 64 bits they return. Results are truncated with a sticky last bit,
 * never rounded: the final rounding to the extended format happens once, in
 * {@link ExtendedArithmetic#roundAndPack}.
 */
record Dyadic(BigInteger mantissa, int exponent) {
    static final int PRECISION = 160;
    static final Dyadic ZERO = new Dyadic(BigInteger.ZERO, 0);
    static final Dyadic ONE = new Dyadic(BigInteger.ONE, 0);

    /** Truncates to PRECISION bits, keeping any discarded bits as a sticky last bit of the magnitude. */
    static Dyadic of(BigInteger mantissa, int exponent) {
        int excess = mantissa.bitLength() - PRECISION;
        if (excess > 0) {
            BigInteger magnitude = mantissa.abs();
            BigInteger kept = magnitude.shiftRight(excess);
            if (magnitude.getLowestSetBit() < excess) {
                kept = kept.setBit(0);
            }
            return new Dyadic(mantissa.signum() < 0 ? kept.negate() : kept, exponent + excess);
        }
        return new Dyadic(mantissa, exponent);
    }

    static Dyadic of(long value) {
        return of(BigInteger.valueOf(value), 0);
    }

    /** An extended-format finite value; denormals count with exponent 1 (SDM vol. 1, 4.8.3.2). */
    static Dyadic ofExtended(int signExponent, long significand) {
        int biased = Math.max(1, signExponent & 0x7FFF);
        BigInteger m = new BigInteger(Long.toUnsignedString(significand));
        return of((signExponent & 0x8000) != 0 ? m.negate() : m, biased - ExtendedArithmetic.BIAS - 63);
    }

    int signum() {
        return mantissa.signum();
    }

    Dyadic negate() {
        return new Dyadic(mantissa.negate(), exponent);
    }

    Dyadic abs() {
        return mantissa.signum() < 0 ? negate() : this;
    }

    Dyadic scale(int power) {
        return new Dyadic(mantissa, exponent + power);
    }

    /** The position just above the most significant bit: |this| < 2^magnitude(). */
    int magnitude() {
        return mantissa.bitLength() + exponent;
    }

    Dyadic add(Dyadic other) {
        if (other.mantissa.signum() == 0) {
            return this;
        }
        if (mantissa.signum() == 0) {
            return other;
        }
        // A far smaller addend only matters as a signed unit in the last place carried (a sticky bit).
        int gap = magnitude() - other.magnitude();
        if (gap > PRECISION + 4) {
            int shift = PRECISION - mantissa.bitLength();
            return of(mantissa.shiftLeft(shift).add(BigInteger.valueOf(other.signum())), exponent - shift);
        }
        if (gap < -PRECISION - 4) {
            return other.add(this);
        }
        int low = Math.min(exponent, other.exponent);
        return of(mantissa.shiftLeft(exponent - low).add(other.mantissa.shiftLeft(other.exponent - low)), low);
    }

    Dyadic subtract(Dyadic other) {
        return add(other.negate());
    }

    Dyadic multiply(Dyadic other) {
        return of(mantissa.multiply(other.mantissa), exponent + other.exponent);
    }

    Dyadic divide(Dyadic other) {
        int shift = Math.max(PRECISION + other.mantissa.bitLength() - mantissa.bitLength() + 2, 0);
        BigInteger[] quotient = mantissa.shiftLeft(shift).divideAndRemainder(other.mantissa);
        BigInteger q = quotient[0];
        if (quotient[1].signum() != 0) {
            q = q.signum() < 0 ? q.negate().setBit(0).negate() : q.setBit(0);
        }
        return of(q, exponent - other.exponent - shift);
    }

    Dyadic divide(long divisor) {
        return divide(of(divisor));
    }

    Dyadic sqrt() {
        int shift = 2 * PRECISION - mantissa.bitLength();
        if (((exponent - shift) & 1) != 0) {
            shift++;
        }
        return of(mantissa.shiftLeft(shift).sqrt(), (exponent - shift) / 2);
    }

    int compareTo(Dyadic other) {
        return subtract(other).signum();
    }

    /** The nearest integer, halves rounded up. */
    BigInteger roundToInteger() {
        if (exponent >= 0) {
            return mantissa.shiftLeft(exponent);
        }
        return mantissa.shiftRight(-exponent - 1).add(BigInteger.ONE).shiftRight(1);
    }
}
