package org.vstation.cpu.fpu;

import static org.vstation.cpu.fpu.ExtendedArithmetic.BIAS;
import static org.vstation.cpu.fpu.ExtendedArithmetic.EXP_MAX;
import static org.vstation.cpu.fpu.ExtendedArithmetic.INDEFINITE_SE;
import static org.vstation.cpu.fpu.ExtendedArithmetic.INDEFINITE_SIG;
import static org.vstation.cpu.fpu.ExtendedArithmetic.INTEGER_BIT;
import static org.vstation.cpu.fpu.ExtendedArithmetic.ZE;

import java.math.BigInteger;

/**
 * The x87 transcendental instructions (SDM vol. 2: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS):
 * special operands as the manual's tables give them, finite ones evaluated to {@link Dyadic#PRECISION} bits and
 * rounded once under the rounding control. Trigonometric arguments are reduced modulo pi/2 with a pi far more
 * precise than the result, and |x| >= 2^63 is left alone with C2 set.
 */
final class X87Transcendental {
    static final int F2XM1 = 0, FYL2X = 1, FPTAN = 2, FPATAN = 3, FYL2XP1 = 4, FSINCOS = 5, FSIN = 6, FCOS = 7;

    private static final int CONSTANT_BITS = 480;
    /** pi to CONSTANT_BITS bits, by Machin's formula: pi = 16 atan(1/5) - 4 atan(1/239). */
    static final Dyadic PI = Dyadic.of(atanInverse(5).shiftLeft(4).subtract(atanInverse(239).shiftLeft(2)),
            -CONSTANT_BITS);
    /** ln 2 = 2 atanh(1/3). */
    private static final Dyadic LN2 = Dyadic.of(atanhInverse(3).shiftLeft(1), -CONSTANT_BITS);
    private static final Dyadic INVERSE_LN2 = Dyadic.ONE.divide(LN2);
    private static final Dyadic TWO = Dyadic.of(2);

    /**
     * The pi the trigonometric instructions reduce with: 66 significant bits, C90FDAA22168C234C (SDM vol. 1,
     * 8.3.10). Results for large arguments follow this constant, not the true pi, exactly as on the hardware.
     */
    static final Dyadic REDUCTION_PI = Dyadic.of(new BigInteger("C90FDAA22168C234C", 16), -66);

    private final ExtendedArithmetic unit;
    /** The value FPTAN and FSINCOS push after replacing ST(0). */
    int secondSignExponent;
    long secondSignificand;

    X87Transcendental(ExtendedArithmetic unit) {
        this.unit = unit;
    }

    /** atan(1/n) × 2^CONSTANT_BITS, from its alternating series. */
    private static BigInteger atanInverse(int n) {
        BigInteger sum = BigInteger.ZERO;
        BigInteger power = BigInteger.ONE.shiftLeft(CONSTANT_BITS + 8).divide(BigInteger.valueOf(n));
        BigInteger square = BigInteger.valueOf((long) n * n);
        for (int k = 0; power.signum() != 0; k++) {
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k & 1) == 0 ? sum.add(term) : sum.subtract(term);
            power = power.divide(square);
        }
        return sum.shiftRight(8);
    }

    /** atanh(1/n) × 2^CONSTANT_BITS. */
    private static BigInteger atanhInverse(int n) {
        BigInteger sum = BigInteger.ZERO;
        BigInteger power = BigInteger.ONE.shiftLeft(CONSTANT_BITS + 8).divide(BigInteger.valueOf(n));
        BigInteger square = BigInteger.valueOf((long) n * n);
        for (int k = 0; power.signum() != 0; k++) {
            sum = sum.add(power.divide(BigInteger.valueOf(2L * k + 1)));
            power = power.divide(square);
        }
        return sum.shiftRight(8);
    }

    // ---- one-operand instructions ---------------------------------------------------------------------------

    /**
     * F2XM1, FSIN, FCOS, FPTAN, FSINCOS on ST(0). Returns false when the argument is out of range (|x| >= 2^63
     * for the trigonometric ones): ST(0) stays, C2 is set.
     */
    boolean unary(int function, int se, long sig) {
        if (unit.specialUnary(se, sig)) {
            secondSignExponent = unit.resultSignExponent;
            secondSignificand = unit.resultSignificand;
            return true;
        }
        int negative = se & 0x8000;
        if (function == F2XM1) {
            if (ExtendedArithmetic.isZero(se, sig)) {
                unit.setResult(se, sig);
            } else if (ExtendedArithmetic.isInfinity(se, sig)) {
                unit.setResult(negative != 0 ? 0xBFFF : EXP_MAX, INTEGER_BIT);
            } else if ((se & EXP_MAX) > BIAS || ((se & EXP_MAX) == BIAS && sig != INTEGER_BIT)) {
                // Outside -1..+1 the result is undefined (SDM F2XM1); the reference returns x, inexact.
                unit.setResult(se, sig);
                unit.exceptions |= ExtendedArithmetic.PE;
            } else if (se == (0x8000 | BIAS) && sig == INTEGER_BIT) {
                // 2^-1 - 1: the hardware returns -1/2 exactly in every rounding mode, flagged inexact but not
                // rounded up (observed on the oracle host; the series would round a value a hair above -1/2).
                unit.setResult(0x8000 | (BIAS - 1), INTEGER_BIT);
                unit.exceptions |= ExtendedArithmetic.PE;
            } else if (!unit.denormalStops(se, sig, 0, 0)) {
                Dyadic t = Dyadic.ofExtended(se, sig).multiply(LN2);
                round(expm1(t));
            }
            return true;
        }
        if (ExtendedArithmetic.isInfinity(se, sig)) {
            unit.invalid();
            secondSignExponent = INDEFINITE_SE;
            secondSignificand = INDEFINITE_SIG;
            return true;
        }
        if (ExtendedArithmetic.isZero(se, sig)) {
            if (function == FCOS) {
                unit.setResult(BIAS, INTEGER_BIT);
            } else {
                unit.setResult(se, sig);
            }
            secondSignExponent = BIAS;
            secondSignificand = INTEGER_BIT;
            return true;
        }
        if (ExtendedArithmetic.normalExponent(se, sig) - BIAS >= 63) {
            return false;
        }
        if (unit.denormalStops(se, sig, 0, 0)) {
            return true;
        }
        Dyadic x = Dyadic.ofExtended(se, sig);
        Dyadic halfPi = REDUCTION_PI.scale(-1);
        BigInteger quadrant = x.divide(halfPi).roundToInteger();
        Dyadic r = x.subtract(halfPi.multiply(Dyadic.of(quadrant, 0)));
        Dyadic sinX = function == FCOS ? null : quadrantSine(r, quadrant.intValue());
        Dyadic cosX = function == FSIN ? null : quadrantSine(r, quadrant.intValue() + 1);
        switch (function) {
            case FSIN -> round(sinX);
            case FCOS -> round(cosX);
            case FPTAN -> {
                round(sinX.divide(cosX));
                secondSignExponent = BIAS;
                secondSignificand = INTEGER_BIT;
            }
            default -> {
                // FSINCOS: the cosine is pushed over the sine; the flags and C1 are those of both roundings.
                round(cosX);
                secondSignExponent = unit.resultSignExponent;
                secondSignificand = unit.resultSignificand;
                round(sinX);
            }
        }
        return true;
    }

    // ---- two-operand instructions ---------------------------------------------------------------------------

    /** FYL2X, FYL2XP1 and FPATAN with y = ST(1), x = ST(0); the result replaces ST(1). */
    void binary(int function, int ySe, long ySig, int xSe, long xSig) {
        if (unit.specialBinary(ySe, ySig, xSe, xSig)) {
            return;
        }
        switch (function) {
            case FPATAN -> arcTangent(ySe, ySig, xSe, xSig);
            case FYL2X -> logarithm(ySe, ySig, xSe, xSig, false);
            default -> logarithm(ySe, ySig, xSe, xSig, true);
        }
    }

    private void arcTangent(int ySe, long ySig, int xSe, long xSig) {
        int ySign = ySe & 0x8000;
        boolean xNegative = (xSe & 0x8000) != 0;
        boolean yZero = ExtendedArithmetic.isZero(ySe, ySig), xZero = ExtendedArithmetic.isZero(xSe, xSig);
        boolean yInf = ExtendedArithmetic.isInfinity(ySe, ySig), xInf = ExtendedArithmetic.isInfinity(xSe, xSig);
        if (unit.denormalStops(ySe, ySig, xSe, xSig)) {
            return;
        }
        Dyadic result;
        if (yZero) {
            if (!xNegative) {
                unit.setResult(ySign, 0);
                return;
            }
            result = PI;
        } else if (xZero) {
            result = PI.scale(-1);
        } else if (yInf) {
            result = xInf ? (xNegative ? PI.multiply(Dyadic.of(3)).scale(-2) : PI.scale(-2)) : PI.scale(-1);
        } else if (xInf) {
            if (!xNegative) {
                unit.setResult(ySign, 0);
                return;
            }
            result = PI;
        } else {
            Dyadic y = Dyadic.ofExtended(ySe & 0x7FFF, ySig), x = Dyadic.ofExtended(xSe & 0x7FFF, xSig);
            if (y.compareTo(x) <= 0) {
                result = atan(y.divide(x));
                if (xNegative) {
                    result = PI.subtract(result);
                }
            } else {
                result = PI.scale(-1).subtract(atan(x.divide(y)));
                if (xNegative) {
                    result = PI.subtract(result);
                }
            }
        }
        round(ySign != 0 ? result.negate() : result);
    }

    /** FYL2X: y × log2(x); FYL2XP1 ({@code plusOne}): y × log2(x + 1). */
    private void logarithm(int ySe, long ySig, int xSe, long xSig, boolean plusOne) {
        int ySign = ySe & 0x8000;
        boolean yZero = ExtendedArithmetic.isZero(ySe, ySig), xZero = ExtendedArithmetic.isZero(xSe, xSig);
        boolean yInf = ExtendedArithmetic.isInfinity(ySe, ySig), xInf = ExtendedArithmetic.isInfinity(xSe, xSig);
        boolean xNegative = (xSe & 0x8000) != 0;
        if (!plusOne && xNegative && !xZero) {
            unit.invalid();
            return;
        }
        if (plusOne) {
            if (xZero) {
                if (yInf) {
                    unit.invalid();
                    return;
                }
                if (unit.denormalStops(ySe, ySig, 0, 0)) {
                    return;
                }
                unit.setResult((ySe ^ xSe) & 0x8000, 0);
                return;
            }
        } else if (xZero) {
            if (yZero) {
                unit.invalid();
                return;
            }
            if (!yInf) {
                unit.exceptions |= ZE; // takes precedence over DE (SDM vol. 1, 4.9.2)
            }
            unit.setResult((ySign ^ 0x8000) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (xInf && (yZero || (plusOne && xNegative))) {
            unit.invalid();
            return;
        }
        if (unit.denormalStops(ySe, ySig, xSe, xSig)) {
            return;
        }
        if (xInf) {
            unit.setResult(ySign | EXP_MAX, INTEGER_BIT);
            return;
        }
        Dyadic x = Dyadic.ofExtended(xSe, xSig);
        if (plusOne && x.compareTo(Dyadic.ONE.negate()) <= 0) {
            // Far outside the documented range |x| < 1 - sqrt(2)/2: the logarithm of a non-positive number.
            unit.invalid();
            return;
        }
        Dyadic log2 = plusOne ? log2OnePlus(x) : log2(x);
        if (yInf) {
            if (log2.signum() == 0) {
                unit.invalid();
                return;
            }
            unit.setResult((ySign ^ (log2.signum() < 0 ? 0x8000 : 0)) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (yZero || log2.signum() == 0) {
            unit.setResult(ySign ^ (log2.signum() < 0 || (log2.signum() == 0 && xNegative) ? 0x8000 : 0), 0);
            return;
        }
        round(Dyadic.ofExtended(ySe, ySig).multiply(log2));
    }

    // ---- series -----------------------------------------------------------------------------------------------

    /**
     * True once the last term added lay below the precision carried: it went in as a signed sticky unit (see
     * Dyadic.add), so a result that rounds back to the argument still rounds in the right direction, and the
     * smaller terms after it must not cancel that unit.
     */
    private static boolean negligible(Dyadic term, Dyadic sum) {
        return term.magnitude() < sum.magnitude() - Dyadic.PRECISION;
    }

    /**
     * e^t - 1 for |t| <= ln 2: the series t + t^2/2! + ... for t / 2^n below 2^-8, then n doublings
     * e^2u - 1 = (e^u - 1)(e^u - 1 + 2), which keep the relative precision.
     */
    private static Dyadic expm1(Dyadic t) {
        int halvings = Math.max(0, t.magnitude() + 8);
        Dyadic u = t.scale(-halvings);
        Dyadic sum = u, term = u;
        for (int k = 2; term.signum() != 0 && !negligible(term, sum); k++) {
            term = term.multiply(u).divide(k);
            sum = sum.add(term);
        }
        for (int i = 0; i < halvings; i++) {
            sum = sum.multiply(sum.add(TWO));
        }
        return sum;
    }


    /** sin(r + quadrant × pi/2) for |r| <= pi/4; cos(x) is the sine one quadrant on. */
    private static Dyadic quadrantSine(Dyadic r, int quadrant) {
        return switch (quadrant & 3) {
            case 0 -> sinSeries(r);
            case 1 -> cosSeries(r);
            case 2 -> sinSeries(r).negate();
            default -> cosSeries(r).negate();
        };
    }

    private static Dyadic sinSeries(Dyadic r) {
        Dyadic square = r.multiply(r), sum = r, term = r;
        for (int k = 2; term.signum() != 0 && !negligible(term, sum); k += 2) {
            term = term.multiply(square).divide((long) k * (k + 1)).negate();
            sum = sum.add(term);
        }
        return sum;
    }

    private static Dyadic cosSeries(Dyadic r) {
        Dyadic square = r.multiply(r), sum = Dyadic.ONE, term = Dyadic.ONE;
        for (int k = 1; term.signum() != 0 && !negligible(term, sum); k += 2) {
            term = term.multiply(square).divide((long) k * (k + 1)).negate();
            sum = sum.add(term);
        }
        return sum;
    }

    /**
     * atan(t) for |t| <= 1: with c = k/16 nearest to |t|, atan(t) = atan(c) + atan((t - c) / (1 + t c)), so the
     * series only ever sees arguments below 1/32.
     */
    private static Dyadic atan(Dyadic t) {
        Dyadic magnitude = t.abs();
        int k = magnitude.scale(4).roundToInteger().intValue();
        Dyadic result;
        if (k == 0) {
            result = atanSeries(magnitude);
        } else {
            Dyadic c = Dyadic.of(k).scale(-4);
            Dyadic reduced = magnitude.subtract(c).divide(Dyadic.ONE.add(magnitude.multiply(c)));
            result = ATAN_SIXTEENTHS[k].add(atanSeries(reduced));
        }
        return t.signum() < 0 ? result.negate() : result;
    }

    /** atan(k/16) for k = 0..16, by argument halving: atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))). */
    private static final Dyadic[] ATAN_SIXTEENTHS = new Dyadic[17];

    static {
        for (int k = 1; k <= 16; k++) {
            Dyadic t = Dyadic.of(k).scale(-4);
            int halvings = 0;
            while (t.magnitude() > -5) {
                t = t.divide(Dyadic.ONE.add(Dyadic.ONE.add(t.multiply(t)).sqrt()));
                halvings++;
            }
            ATAN_SIXTEENTHS[k] = atanSeries(t).scale(halvings);
        }
    }

    /** t - t^3/3 + t^5/5 - ..., for small |t|. */
    private static Dyadic atanSeries(Dyadic t) {
        Dyadic square = t.multiply(t), sum = t, power = t;
        for (int k = 3; power.signum() != 0 && !negligible(power, sum); k += 2) {
            power = power.multiply(square).negate();
            sum = sum.add(power.divide(k));
        }
        return sum;
    }

    /** 2 atanh(s) = ln((1 + s) / (1 - s)). */
    private static Dyadic twiceAtanh(Dyadic s) {
        Dyadic square = s.multiply(s), sum = s, power = s;
        for (int k = 3; power.signum() != 0 && !negligible(power, sum); k += 2) {
            power = power.multiply(square);
            sum = sum.add(power.divide(k));
        }
        return sum.scale(1);
    }

    /** log2(x) for x > 0: x = m × 2^e with m in [sqrt(1/2), sqrt(2)), then {@link #lnNearOne}. */
    private static Dyadic log2(Dyadic x) {
        int e = x.magnitude() - 1;
        Dyadic m = x.scale(-e);
        if (m.compareTo(Dyadic.of(181).scale(-7)) > 0) { // 181/128, a little above sqrt(2)
            m = m.scale(-1);
            e++;
        }
        return Dyadic.of(e).add(lnNearOne(m, m.subtract(Dyadic.ONE)).multiply(INVERSE_LN2));
    }

    /** log2(1 + x), exact in relative terms for tiny x; |x| >= 1/4 goes the general way. */
    private static Dyadic log2OnePlus(Dyadic x) {
        Dyadic m = Dyadic.ONE.add(x);
        if (x.magnitude() > -2) {
            return log2(m);
        }
        return lnNearOne(m, x).multiply(INVERSE_LN2);
    }

    /** ln(1 + j/32) for j = -10..14, the points {@link #lnNearOne} reduces to. */
    private static final Dyadic[] LN_THIRTY_SECONDS = new Dyadic[25];

    static {
        for (int j = -10; j <= 14; j++) {
            Dyadic c = Dyadic.ONE.add(Dyadic.of(j).scale(-5));
            LN_THIRTY_SECONDS[j + 10] = twiceAtanh(c.subtract(Dyadic.ONE).divide(c.add(Dyadic.ONE)));
        }
    }

    /**
     * ln m for m in [0.7, 1.42], given m - 1 exactly: with c = 1 + j/32 nearest to m,
     * ln m = ln c + 2 atanh((m - c) / (m + c)), whose series needs a dozen terms; near 1 (j = 0) it is
     * 2 atanh((m - 1) / (m + 1)) directly, which keeps the relative precision of tiny logarithms.
     */
    private static Dyadic lnNearOne(Dyadic m, Dyadic mMinusOne) {
        int j = mMinusOne.scale(5).roundToInteger().intValue();
        if (j == 0) {
            return twiceAtanh(mMinusOne.divide(m.add(Dyadic.ONE)));
        }
        Dyadic c = Dyadic.ONE.add(Dyadic.of(j).scale(-5));
        return LN_THIRTY_SECONDS[j + 10].add(twiceAtanh(m.subtract(c).divide(m.add(c))));
    }

    /** Rounds a non-zero value into the unit's result under the rounding control (64-bit precision). */
    private void round(Dyadic value) {
        if (value.signum() == 0) {
            unit.setResult(0, 0);
            return;
        }
        int sign = value.signum() < 0 ? 1 : 0;
        BigInteger m = value.mantissa().abs();
        int length = m.bitLength();
        long hi, lo;
        if (length <= 128) {
            BigInteger aligned = m.shiftLeft(128 - length);
            hi = aligned.shiftRight(64).longValue();
            lo = aligned.longValue();
        } else {
            BigInteger aligned = m.shiftRight(length - 128);
            hi = aligned.shiftRight(64).longValue();
            lo = aligned.longValue() | (m.getLowestSetBit() < length - 128 ? 1 : 0);
        }
        int exponent = value.exponent() + length + BIAS - 1;
        unit.roundAndPack(sign, exponent, hi, lo, 64, ExtendedArithmetic.EXTENDED_MIN,
                ExtendedArithmetic.EXTENDED_MAX, true);
        if ((unit.exceptions & ExtendedArithmetic.PE) == 0) {
            // The hardware reports every computed transcendental result inexact, even one that happens to be
            // exact (FYL2X of a power of two), and tiny when it is.
            unit.exceptions |= ExtendedArithmetic.PE;
            if ((unit.resultSignExponent & EXP_MAX) == 0) {
                unit.exceptions |= ExtendedArithmetic.UE;
            }
        }
    }
}
