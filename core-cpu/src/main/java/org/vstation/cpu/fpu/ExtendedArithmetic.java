package org.vstation.cpu.fpu;

/**
 * Exact arithmetic on the x87 double extended-precision format (Intel SDM vol. 1, 4.2 and 8.5): a sign, a 15-bit
 * biased exponent and a 64-bit significand with an explicit integer bit, carried as a packed {@code signExponent}
 * int (sign in bit 15) plus a {@code long} significand. One instance belongs to one FPU: operations read the
 * rounding and precision control and the exception masks from {@link #controlWord}, accumulate exception flags in
 * {@link #exceptions} and leave their result in {@link #resultSignExponent} / {@link #resultSignificand}, so
 * nothing is allocated per operation.
 */
final class ExtendedArithmetic {
    static final int IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40;
    /** Condition code C1 in status-word position: "rounded up" for arithmetic, stack overflow for stack faults. */
    static final int C1 = 0x200;

    static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_CHOP = 3;

    static final int BIAS = 16383;
    static final int EXP_MAX = 0x7FFF;
    static final long INTEGER_BIT = 0x8000_0000_0000_0000L;
    static final long QUIET_BIT = 0x4000_0000_0000_0000L;
    /** The "real indefinite" QNaN the unit returns for a masked invalid operation (SDM vol. 1, 4.8.3.7). */
    static final int INDEFINITE_SE = 0xFFFF;
    static final long INDEFINITE_SIG = 0xC000_0000_0000_0000L;

    /** Operand classes by encoding (SDM vol. 1, table 8-3); see {@link #classify}. */
    static final int ZERO = 0, DENORMAL = 1, NORMAL = 2, INFINITY = 3, QNAN = 4, SNAN = 5, UNSUPPORTED = 6;

    /** Normal exponent range of the extended format (narrower formats derive theirs in {@link #narrow}). */
    static final int EXTENDED_MIN = 1, EXTENDED_MAX = 0x7FFE;
    /** Unmasked overflow/underflow deliver the result with the exponent biased by this much (SDM vol. 1, 8.5.4). */
    static final int WRAP_BIAS = 0x6000;

    int controlWord = 0x037F;
    int exceptions;
    int resultSignExponent;
    long resultSignificand;
    /** Set by a memory-format widening when the source was a denormal in its own format. */
    boolean sourceDenormal;

    private boolean roundInexact;
    private boolean roundCarry;
    private boolean roundUp;

    // ---- classification -------------------------------------------------------------------------------------

    static int classify(int signExponent, long significand) {
        int exponent = signExponent & EXP_MAX;
        boolean integerBit = significand < 0;
        if (exponent == EXP_MAX) {
            if (!integerBit) {
                return UNSUPPORTED; // pseudo-infinity / pseudo-NaN (SDM vol. 1, 8.2.2)
            }
            if ((significand << 1) == 0) {
                return INFINITY;
            }
            return (significand & QUIET_BIT) != 0 ? QNAN : SNAN;
        }
        if (exponent == 0) {
            return significand == 0 ? ZERO : DENORMAL; // includes pseudo-denormals (integer bit set)
        }
        return integerBit ? NORMAL : UNSUPPORTED; // unnormal
    }

    static boolean isNaN(int signExponent, long significand) {
        return (signExponent & EXP_MAX) == EXP_MAX && significand < 0 && (significand << 1) != 0;
    }

    static boolean isSignaling(int se, long sig) {
        return isNaN(se, sig) && (sig & QUIET_BIT) == 0;
    }

    private static boolean isUnsupported(int se, long sig) {
        int exponent = se & EXP_MAX;
        return exponent != 0 && sig >= 0;
    }

    static boolean isDenormal(int se, long sig) {
        return (se & EXP_MAX) == 0 && sig != 0;
    }

    static boolean isInfinity(int se, long sig) {
        return (se & EXP_MAX) == EXP_MAX && sig == INTEGER_BIT;
    }

    static boolean isZero(int se, long sig) {
        return (se & EXP_MAX) == 0 && sig == 0;
    }

    /** Exponent of a finite non-zero operand once normalized (denormals count as exponent 1, then shift). */
    static int normalExponent(int se, long sig) {
        int exponent = se & EXP_MAX;
        if (exponent == 0) {
            exponent = 1;
        }
        return exponent - Long.numberOfLeadingZeros(sig);
    }

    static long normalSignificand(long sig) {
        return sig << Long.numberOfLeadingZeros(sig);
    }

    // ---- result helpers -------------------------------------------------------------------------------------

    private boolean masked(int exception) {
        return (controlWord & exception) != 0;
    }

    int roundingControl() {
        return (controlWord >> 10) & 3;
    }

    /** Significand bits selected by precision control (SDM vol. 1, 8.1.5.2); the reserved encoding acts as 64. */
    int precisionBits() {
        return switch ((controlWord >> 8) & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
    }

    void setResult(int se, long sig) {
        resultSignExponent = se;
        resultSignificand = sig;
    }

    void invalid() {
        exceptions |= IE;
        setResult(INDEFINITE_SE, INDEFINITE_SIG);
    }

    private void setQuietNaN(int se, long sig) {
        setResult(se, sig | QUIET_BIT);
    }

    /**
     * NaN propagation for two operands (SDM vol. 1, table 4-7): an SNaN raises IE; a QNaN wins over an SNaN,
     * otherwise the larger significand wins; the winner is returned quiet. Returns true when a NaN decided the result.
     */
    private boolean propagateNaN(int aSe, long aSig, int bSe, long bSig) {
        boolean aNaN = isNaN(aSe, aSig);
        boolean bNaN = isNaN(bSe, bSig);
        if (!aNaN && !bNaN) {
            return false;
        }
        if (isSignaling(aSe, aSig) || isSignaling(bSe, bSig)) {
            exceptions |= IE;
        }
        if (aNaN && bNaN) {
            boolean aQuiet = (aSig & QUIET_BIT) != 0, bQuiet = (bSig & QUIET_BIT) != 0;
            int order = aQuiet != bQuiet ? (aQuiet ? 1 : -1) : Long.compareUnsigned(aSig, bSig);
            if (order > 0 || (order == 0 && (aSe & 0x8000) == 0)) {
                setQuietNaN(aSe, aSig);
            } else {
                setQuietNaN(bSe, bSig);
            }
        } else if (aNaN) {
            setQuietNaN(aSe, aSig);
        } else {
            setQuietNaN(bSe, bSig);
        }
        return true;
    }

    /** Unsupported encodings and SNaN/QNaN for a one-operand operation; returns true when they decided it. */
    boolean specialUnary(int se, long sig) {
        if (isUnsupported(se, sig)) {
            invalid();
            return true;
        }
        if (isNaN(se, sig)) {
            if ((sig & QUIET_BIT) == 0) {
                exceptions |= IE;
            }
            setQuietNaN(se, sig);
            return true;
        }
        return false;
    }

    boolean specialBinary(int aSe, long aSig, int bSe, long bSig) {
        if (isUnsupported(aSe, aSig) || isUnsupported(bSe, bSig)) {
            invalid();
            return true;
        }
        return propagateNaN(aSe, aSig, bSe, bSig);
    }

    /**
     * Raises DE for a denormal operand. Returns true when DE is unmasked: the operation then stops before
     * computing anything, like the other pre-computation exceptions (SDM vol. 1, 8.5.2).
     */
    boolean denormalStops(int aSe, long aSig, int bSe, long bSig) {
        if (isDenormal(aSe, aSig) || isDenormal(bSe, bSig) || sourceDenormal) {
            exceptions |= DE;
            return !masked(DE);
        }
        return false;
    }

    // ---- rounding -------------------------------------------------------------------------------------------

    /**
     * Rounds {@code hi:lo} (a 128-bit fraction of which the top {@code precision} bits are kept) under the current
     * rounding control. Sets roundInexact, roundUp (magnitude increased) and roundCarry (the kept bits overflowed;
     * the returned value is then 2^63).
     */
    private long roundSignificand(boolean negative, long hi, long lo, int precision) {
        int drop = 64 - precision;
        long keepMask = drop == 0 ? -1L : -1L << drop;
        long discarded = hi & ~keepMask;
        roundCarry = false;
        roundUp = false;
        roundInexact = discarded != 0 || lo != 0;
        long kept = hi & keepMask;
        if (!roundInexact) {
            return kept;
        }
        boolean up;
        switch (roundingControl()) {
            case RC_NEAREST -> {
                if (drop == 0) {
                    up = lo < 0 && ((lo << 1) != 0 || (hi & 1) != 0);
                } else {
                    long half = 1L << (drop - 1);
                    up = discarded > half || (discarded == half && (lo != 0 || (hi & (1L << drop)) != 0));
                }
            }
            case RC_DOWN -> up = negative;
            case RC_UP -> up = !negative;
            default -> up = false;
        }
        if (!up) {
            return kept;
        }
        roundUp = true;
        kept += drop == 0 ? 1 : 1L << drop;
        if (kept == 0) {
            roundCarry = true;
            kept = INTEGER_BIT;
        }
        return kept;
    }

    /**
     * Rounds and packs {@code sign × hi:lo × 2^(exponent - BIAS - 63)} (hi normalized, bit 63 set) into a
     * destination whose normal exponents run from {@code minExponent} to {@code maxExponent}, signalling underflow,
     * overflow and precision as the x87 does (SDM vol. 1, 4.9.1.4-6 and 8.5.4-6): tininess is detected after
     * rounding; masked results are denormalized or saturated, unmasked ones into a register are re-biased. For a
     * memory destination the caller discards the result when OE or UE is unmasked. The result lands in the
     * result fields with the exponent in extended bias; a denormal has the exponent {@code minExponent} and a clear
     * integer bit, an infinity the exponent 0x7FFF.
     */
    void roundAndPack(int sign, int exponent, long hi, long lo, int precision, int minExponent, int maxExponent,
                      boolean registerDestination) {
        boolean negative = sign != 0;
        if (exponent < minExponent) {
            long rounded = roundSignificand(negative, hi, lo, precision);
            boolean tiny = !(roundCarry && exponent + 1 >= minExponent);
            if (tiny && !masked(UE)) {
                exceptions |= UE;
                if (!registerDestination) {
                    return;
                }
                int wrapped = exponent + (roundCarry ? 1 : 0) + WRAP_BIAS;
                if (wrapped >= minExponent) {
                    finishInexact();
                    resultSignExponent = (sign << 15) | (wrapped & EXP_MAX);
                    resultSignificand = rounded;
                    return;
                }
                // Too small even re-biased (only FSCALE gets here): a signed zero, whatever the rounding control.
                exceptions = (exceptions | PE) & ~C1;
                setResult(sign << 15, 0);
                return;
            }
            int shift = minExponent - exponent;
            if (shift >= 128) {
                lo = (hi | lo) != 0 ? 1 : 0;
                hi = 0;
            } else if (shift >= 64) {
                lo = (shift == 64 ? hi : hi >>> (shift - 64))
                        | ((shift == 64 ? lo : (hi << (128 - shift)) | lo) != 0 ? 1 : 0);
                hi = 0;
            } else {
                lo = (hi << (64 - shift)) | (lo >>> shift) | ((lo << (64 - shift)) != 0 ? 1 : 0);
                hi >>>= shift;
            }
            long significand = roundSignificand(negative, hi, lo, precision);
            if (roundInexact && tiny) {
                exceptions |= UE;
            }
            finishInexact();
            packFinite(sign, minExponent, significand);
            return;
        }
        long significand = roundSignificand(negative, hi, lo, precision);
        if (roundCarry) {
            exponent++;
        }
        if (exponent > maxExponent) {
            exceptions |= OE;
            if (!masked(OE)) {
                if (registerDestination && exponent - WRAP_BIAS <= maxExponent) {
                    finishInexact();
                    resultSignExponent = (sign << 15) | ((exponent - WRAP_BIAS) & EXP_MAX);
                    resultSignificand = significand;
                } else if (registerDestination) {
                    // Too large even re-biased (only FSCALE gets here): infinity, whatever the rounding control.
                    exceptions |= PE | C1;
                    setResult((sign << 15) | EXP_MAX, INTEGER_BIT);
                }
                return;
            }
            exceptions |= PE;
            int rc = roundingControl();
            boolean toInfinity = rc == RC_NEAREST || (rc == RC_UP && !negative) || (rc == RC_DOWN && negative);
            if (toInfinity) {
                exceptions |= C1;
                setResult((sign << 15) | EXP_MAX, INTEGER_BIT);
            } else {
                exceptions &= ~C1;
                setResult((sign << 15) | maxExponent, precision == 64 ? -1L : -1L << (64 - precision));
            }
            return;
        }
        finishInexact();
        packFinite(sign, exponent, significand);
    }

    private void finishInexact() {
        if (roundInexact) {
            exceptions |= PE;
            if (roundUp) {
                exceptions |= C1;
            }
        }
    }

    /** Stores a finite result; a clear integer bit means denormal (or zero) in the destination format. */
    private void packFinite(int sign, int exponent, long significand) {
        resultSignificand = significand;
        resultSignExponent = (sign << 15) | (significand < 0 ? exponent : 0);
    }

    /** Rounds a result computed exactly into a register, under the current precision control. */
    private void roundToRegister(int sign, int exponent, long hi, long lo, int precision) {
        roundAndPack(sign, exponent, hi, lo, precision, EXTENDED_MIN, EXTENDED_MAX, true);
    }

    // ---- add, subtract, multiply, divide ----------------------------------------------------------------------

    /** a + b, or a - b when {@code subtract}; rounded to {@code precision} bits. */
    void add(int aSe, long aSig, int bSe, long bSig, boolean subtract, int precision) {
        if (specialBinary(aSe, aSig, bSe, bSig)) {
            return;
        }
        int aSign = aSe >>> 15 & 1;
        int bSign = (bSe >>> 15 & 1) ^ (subtract ? 1 : 0);
        boolean aInf = isInfinity(aSe, aSig), bInf = isInfinity(bSe, bSig);
        if (aInf || bInf) {
            if (aInf && bInf && aSign != bSign) {
                invalid();
                return;
            }
            if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
            setResult(((aInf ? aSign : bSign) << 15) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
        boolean aZero = isZero(aSe, aSig), bZero = isZero(bSe, bSig);
        if (aZero && bZero) {
            int sign = aSign == bSign ? aSign : (roundingControl() == RC_DOWN ? 1 : 0);
            setResult(sign << 15, 0);
            return;
        }
        if (aZero || bZero) {
            int sign = aZero ? bSign : aSign;
            int se = aZero ? bSe : aSe;
            long sig = aZero ? bSig : aSig;
            roundToRegister(sign, normalExponent(se, sig), normalSignificand(sig), 0, precision);
            return;
        }
        int aExp = normalExponent(aSe, aSig), bExp = normalExponent(bSe, bSig);
        long aM = normalSignificand(aSig), bM = normalSignificand(bSig);
        if (aExp < bExp || (aExp == bExp && Long.compareUnsigned(aM, bM) < 0)) {
            int t = aExp; aExp = bExp; bExp = t;
            long m = aM; aM = bM; bM = m;
            int s = aSign; aSign = bSign; bSign = s;
        }
        int shift = aExp - bExp;
        long bHi, bLo;
        if (shift == 0) {
            bHi = bM;
            bLo = 0;
        } else if (shift < 64) {
            bHi = bM >>> shift;
            bLo = bM << (64 - shift);
        } else if (shift == 64) {
            bHi = 0;
            bLo = bM;
        } else if (shift < 128) {
            bHi = 0;
            bLo = (bM >>> (shift - 64)) | ((bM << (128 - shift)) != 0 ? 1 : 0);
        } else {
            bHi = 0;
            bLo = 1;
        }
        long hi, lo;
        int exponent = aExp;
        if (aSign == bSign) {
            lo = bLo;
            hi = aM + bHi;
            if (Long.compareUnsigned(hi, aM) < 0) {
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | INTEGER_BIT;
                exponent++;
            }
        } else {
            lo = -bLo;
            hi = aM - bHi - (bLo != 0 ? 1 : 0);
            if (hi == 0 && lo == 0) {
                setResult((roundingControl() == RC_DOWN ? 1 : 0) << 15, 0);
                return;
            }
            if (hi == 0) {
                hi = lo;
                lo = 0;
                exponent -= 64;
            }
            int norm = Long.numberOfLeadingZeros(hi);
            if (norm != 0) {
                hi = (hi << norm) | (lo >>> (64 - norm));
                lo <<= norm;
                exponent -= norm;
            }
        }
        roundToRegister(aSign, exponent, hi, lo, precision);
    }

    void multiply(int aSe, long aSig, int bSe, long bSig, int precision) {
        if (specialBinary(aSe, aSig, bSe, bSig)) {
            return;
        }
        int sign = ((aSe ^ bSe) >>> 15) & 1;
        boolean aInf = isInfinity(aSe, aSig), bInf = isInfinity(bSe, bSig);
        boolean aZero = isZero(aSe, aSig), bZero = isZero(bSe, bSig);
        if ((aInf && bZero) || (bInf && aZero)) {
            invalid();
            return;
        }
        if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (aInf || bInf) {
            setResult((sign << 15) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (aZero || bZero) {
            setResult(sign << 15, 0);
            return;
        }
        long aM = normalSignificand(aSig), bM = normalSignificand(bSig);
        int exponent = normalExponent(aSe, aSig) + normalExponent(bSe, bSig) - BIAS + 1;
        long hi = Math.unsignedMultiplyHigh(aM, bM);
        long lo = aM * bM;
        if (hi >= 0) {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
            exponent--;
        }
        roundToRegister(sign, exponent, hi, lo, precision);
    }

    void divide(int aSe, long aSig, int bSe, long bSig, int precision) {
        if (specialBinary(aSe, aSig, bSe, bSig)) {
            return;
        }
        int sign = ((aSe ^ bSe) >>> 15) & 1;
        boolean aInf = isInfinity(aSe, aSig), bInf = isInfinity(bSe, bSig);
        boolean aZero = isZero(aSe, aSig), bZero = isZero(bSe, bSig);
        if ((aInf && bInf) || (aZero && bZero)) {
            invalid();
            return;
        }
        if (aInf) {
            if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
            setResult((sign << 15) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (bZero) {
            exceptions |= ZE;
            setResult((sign << 15) | EXP_MAX, INTEGER_BIT);
            return;
        }
        if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (bInf || aZero) {
            setResult(sign << 15, 0);
            return;
        }
        long aM = normalSignificand(aSig), bM = normalSignificand(bSig);
        int exponent = normalExponent(aSe, aSig) - normalExponent(bSe, bSig) + BIAS;
        long quotient;
        if (Long.compareUnsigned(aM, bM) >= 0) {
            quotient = divideUnsigned128(aM >>> 1, aM << 63, bM);
        } else {
            quotient = divideUnsigned128(aM, 0, bM);
            exponent--;
        }
        roundToRegister(sign, exponent, quotient, remainderAsFraction(divisionRemainder, bM), precision);
    }

    /** Encodes remainder/divisor as round and sticky bits: above, at, or below one half. */
    private static long remainderAsFraction(long remainder, long divisor) {
        if (remainder == 0) {
            return 0;
        }
        int order = Long.compareUnsigned(remainder, divisor - remainder);
        return order > 0 ? INTEGER_BIT | 1 : order == 0 ? INTEGER_BIT : 1;
    }

    private long divisionRemainder;

    /**
     * (u1:u0) / v for a normalized v (bit 63 set) and u1 < v: the 64-bit quotient, leaving the remainder in
     * divisionRemainder. Schoolbook division in 32-bit digits (Knuth, TAOCP vol. 2, 4.3.1, algorithm D).
     */
    private long divideUnsigned128(long u1, long u0, long v) {
        final long base = 1L << 32;
        final long mask = base - 1;
        long vn1 = v >>> 32, vn0 = v & mask;
        long un1 = u0 >>> 32, un0 = u0 & mask;
        long q1 = Long.divideUnsigned(u1, vn1);
        long rhat = u1 - q1 * vn1;
        while (Long.compareUnsigned(q1, base) >= 0
                || Long.compareUnsigned(q1 * vn0, (rhat << 32) + un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, base) >= 0) {
                break;
            }
        }
        long un21 = (u1 << 32) + un1 - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, base) >= 0
                || Long.compareUnsigned(q0 * vn0, (rhat << 32) + un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, base) >= 0) {
                break;
            }
        }
        divisionRemainder = (un21 << 32) + un0 - q0 * v;
        return (q1 << 32) + q0;
    }

    // ---- square root ------------------------------------------------------------------------------------------

    void squareRoot(int se, long sig, int precision) {
        if (specialUnary(se, sig)) {
            return;
        }
        int sign = (se >>> 15) & 1;
        if (isZero(se, sig)) {
            setResult(se, sig);
            return;
        }
        if (sign != 0) {
            invalid();
            return;
        }
        if (isInfinity(se, sig)) {
            setResult(se, sig);
            return;
        }
        if (denormalStops(se, sig, 0, 0)) {
            return;
        }
        int unbiased = normalExponent(se, sig) - BIAS;
        long m = normalSignificand(sig);
        long hi, lo;
        int exponent;
        if ((unbiased & 1) != 0) {
            hi = m;
            lo = 0;
            exponent = ((unbiased - 1) >> 1) + BIAS;
        } else {
            hi = m >>> 1;
            lo = m << 63;
            exponent = (unbiased >> 1) + BIAS;
        }
        long root = squareRoot128(hi, lo);
        long sqHi = Math.unsignedMultiplyHigh(root, root), sqLo = root * root;
        long remLo = lo - sqLo;
        long remHi = hi - sqHi - (Long.compareUnsigned(lo, sqLo) < 0 ? 1 : 0);
        long fraction;
        if (remHi == 0 && remLo == 0) {
            fraction = 0;
        } else if (remHi != 0 || Long.compareUnsigned(remLo, root) > 0) {
            fraction = INTEGER_BIT | 1; // remainder > root means above one half, as (r + 1/2)^2 = r^2 + r + 1/4
        } else {
            fraction = 1;
        }
        roundToRegister(0, exponent, root, fraction, precision);
    }

    /** floor(sqrt(hi:lo)) for 2^126 <= hi:lo < 2^128: a double seed, one Newton step, then an exact fix-up. */
    private long squareRoot128(long hi, long lo) {
        double value = unsignedToDouble(hi) * 0x1p64 + unsignedToDouble(lo);
        long root = doubleToUnsigned(Math.sqrt(value));
        if (Long.compareUnsigned(hi, root) < 0) {
            long q = divideUnsigned128(hi, lo, root);
            root = (root >>> 1) + (q >>> 1) + (root & q & 1);
        } else {
            root = -1L;
        }
        while (compareSquare(root, hi, lo) > 0) {
            root--;
        }
        while (root != -1L && compareSquare(root + 1, hi, lo) <= 0) {
            root++;
        }
        return root;
    }

    private static int compareSquare(long root, long hi, long lo) {
        long sqHi = Math.unsignedMultiplyHigh(root, root);
        int order = Long.compareUnsigned(sqHi, hi);
        return order != 0 ? order : Long.compareUnsigned(root * root, lo);
    }

    static double unsignedToDouble(long value) {
        double d = (double) (value >>> 1) * 2.0;
        return d + (value & 1);
    }

    static long doubleToUnsigned(double value) {
        if (value >= 0x1p64) {
            return -1L;
        }
        if (value >= 0x1p63) {
            return (long) (value - 0x1p63) | INTEGER_BIT;
        }
        return (long) value;
    }

    // ---- conversions ------------------------------------------------------------------------------------------

    /**
     * Widens a binary32/binary64 value to extended without raising anything: SNaNs stay signalling (the
     * instruction that uses them raises IE) and denormals are normalized, recorded in {@link #sourceDenormal}.
     */
    void widen(long bits, int exponentBits, int fractionBits) {
        int sign = (int) (bits >>> (exponentBits + fractionBits)) & 1;
        int maxBiased = (1 << exponentBits) - 1;
        int biased = (int) (bits >>> fractionBits) & maxBiased;
        long fraction = bits & ((1L << fractionBits) - 1);
        long aligned = fraction << (63 - fractionBits);
        sourceDenormal = false;
        if (biased == maxBiased) {
            setResult((sign << 15) | EXP_MAX, INTEGER_BIT | aligned);
        } else if (biased == 0) {
            if (fraction == 0) {
                setResult(sign << 15, 0);
            } else {
                sourceDenormal = true;
                int bias = maxBiased >> 1;
                int shift = Long.numberOfLeadingZeros(aligned);
                setResult((sign << 15) | (1 - bias + BIAS - shift), aligned << shift);
            }
        } else {
            int bias = maxBiased >> 1;
            setResult((sign << 15) | (biased - bias + BIAS), INTEGER_BIT | aligned);
        }
    }

    /** FLD m32fp/m64fp: widening plus IE for an SNaN (returned quiet) and DE for a denormal. */
    void load(long bits, int exponentBits, int fractionBits) {
        widen(bits, exponentBits, fractionBits);
        if (sourceDenormal) {
            exceptions |= DE;
            sourceDenormal = false;
        }
        if (isSignaling(resultSignExponent, resultSignificand)) {
            exceptions |= IE;
            resultSignificand |= QUIET_BIT;
        }
    }

    /**
     * Narrows an extended value to binary32/binary64 bits under the rounding control (FST m32fp/m64fp). The caller
     * skips the store when IE, OE or UE is unmasked and raised.
     */
    long narrow(int se, long sig, int exponentBits, int fractionBits) {
        int sign = (se >>> 15) & 1;
        int maxBiased = (1 << exponentBits) - 1;
        int bias = maxBiased >> 1;
        long signBit = (long) sign << (exponentBits + fractionBits);
        long infinity = signBit | ((long) maxBiased << fractionBits);
        if (isUnsupported(se, sig)) {
            exceptions |= IE;
            return (1L << (exponentBits + fractionBits)) | ((long) maxBiased << fractionBits)
                    | (1L << (fractionBits - 1));
        }
        if (isNaN(se, sig)) {
            if ((sig & QUIET_BIT) == 0) {
                exceptions |= IE;
            }
            return infinity | (((sig | QUIET_BIT) << 1) >>> (64 - fractionBits));
        }
        if (isInfinity(se, sig)) {
            return infinity;
        }
        if (isZero(se, sig)) {
            return signBit;
        }
        roundAndPack(sign, normalExponent(se, sig), normalSignificand(sig), 0, fractionBits + 1,
                BIAS + 1 - bias, BIAS + bias, false);
        int exponent = resultSignExponent & EXP_MAX;
        long significand = resultSignificand;
        if (exponent == EXP_MAX) {
            return infinity;
        }
        if (significand >= 0) {
            return signBit | (significand >>> (63 - fractionBits));
        }
        return signBit | ((long) (exponent - BIAS + bias) << fractionBits)
                | ((significand << 1) >>> (64 - fractionBits));
    }

    /** FILD and the integer operand of FIADD..FIDIVR: exact. */
    void fromInteger(long value) {
        if (value == 0) {
            setResult(0, 0);
            return;
        }
        int sign = value < 0 ? 1 : 0;
        long magnitude = value < 0 ? -value : value;
        int shift = Long.numberOfLeadingZeros(magnitude);
        setResult((sign << 15) | (BIAS + 63 - shift), magnitude << shift);
    }

    private boolean integerTooLarge;

    /**
     * The magnitude of a finite value rounded to an integer under the rounding control (PE, C1 as usual). Sets
     * integerTooLarge when it does not fit in 64 bits.
     */
    private long roundToIntegerMagnitude(int se, long sig) {
        integerTooLarge = false;
        if (isZero(se, sig)) {
            roundInexact = false;
            roundUp = false;
            return 0;
        }
        boolean negative = (se & 0x8000) != 0;
        int unbiased = normalExponent(se, sig) - BIAS;
        long m = normalSignificand(sig);
        if (unbiased >= 64) {
            integerTooLarge = true;
            roundInexact = false;
            roundUp = false;
            return 0;
        }
        int shift = 63 - unbiased;
        long integer, fraction;
        if (shift <= 0) {
            integer = m;
            fraction = 0;
        } else if (shift < 64) {
            integer = m >>> shift;
            fraction = m << (64 - shift);
        } else if (shift == 64) {
            integer = 0;
            fraction = m;
        } else {
            integer = 0;
            fraction = shift < 128 ? (m >>> (shift - 64)) | ((m << (128 - shift)) != 0 ? 1 : 0) : 1;
        }
        long rounded = roundSignificand(negative, integer, fraction, 64);
        if (roundCarry) {
            integerTooLarge = true;
        }
        return rounded;
    }

    /**
     * FIST/FISTP to a {@code bits}-wide integer: IE and the integer indefinite (the most negative value) for NaN,
     * infinity, unsupported or out-of-range values.
     */
    long toInteger(int se, long sig, int bits) {
        long indefinite = Long.MIN_VALUE >> (64 - bits);
        int kind = classify(se, sig);
        if (kind == UNSUPPORTED || kind == QNAN || kind == SNAN || kind == INFINITY) {
            exceptions |= IE;
            return indefinite;
        }
        long magnitude = roundToIntegerMagnitude(se, sig);
        boolean negative = (se & 0x8000) != 0;
        long limit = 1L << (bits - 1); // as unsigned for bits == 64
        boolean fits = !integerTooLarge && (negative
                ? Long.compareUnsigned(magnitude, limit) <= 0
                : Long.compareUnsigned(magnitude, limit) < 0);
        if (!fits) {
            exceptions |= IE;
            return indefinite;
        }
        finishInexact();
        return negative ? -magnitude : magnitude;
    }

    /** FRNDINT. */
    void roundToInteger(int se, long sig) {
        if (specialUnary(se, sig)) {
            return;
        }
        int kind = classify(se, sig);
        if (kind == ZERO || kind == INFINITY) {
            setResult(se, sig);
            return;
        }
        if (denormalStops(se, sig, 0, 0)) {
            return;
        }
        if (normalExponent(se, sig) - BIAS >= 63) {
            setResult(se, sig);
            return;
        }
        long magnitude = roundToIntegerMagnitude(se, sig);
        finishInexact();
        int sign = se & 0x8000;
        if (magnitude == 0) {
            setResult(sign, 0);
            return;
        }
        int shift = Long.numberOfLeadingZeros(magnitude);
        setResult(sign | (BIAS + 63 - shift), magnitude << shift);
    }

    /**
     * FBLD: 18 packed BCD digits (bytes 0-8) and the sign in bit 7 of byte 9; {@code high2} holds bytes 8 and 9.
     * Exact; invalid digits (A-F) are weighted like the others, as the hardware does (the manual leaves it open).
     */
    void fromBcd(long low8, int high2) {
        int top = high2 & 0xFF; // byte 8: the two most significant digits
        long value = ((top >> 4) & 0xF) * 10L + (top & 0xF);
        for (int i = 7; i >= 0; i--) {
            int b = (int) (low8 >>> (8 * i)) & 0xFF;
            value = value * 100 + ((b >> 4) & 0xF) * 10L + (b & 0xF);
        }
        int sign = (high2 & 0x8000) != 0 ? 0x8000 : 0;
        fromInteger(value);
        resultSignExponent |= sign;
    }

    private int bcdHigh;

    /** FBSTP: returns the low 8 bytes, the top two bytes in {@link #bcdHighBytes()}. */
    long toBcd(int se, long sig) {
        int kind = classify(se, sig);
        long magnitude = 0;
        boolean valid = kind != UNSUPPORTED && kind != QNAN && kind != SNAN && kind != INFINITY;
        if (valid) {
            magnitude = roundToIntegerMagnitude(se, sig);
            valid = !integerTooLarge && Long.compareUnsigned(magnitude, 999_999_999_999_999_999L) <= 0;
        }
        if (!valid) {
            exceptions |= IE;
            bcdHigh = 0xFFFF; // packed BCD indefinite (SDM vol. 1, table 4-11)
            return 0xC000_0000_0000_0000L;
        }
        finishInexact();
        long low = 0;
        for (int i = 0; i < 8; i++) {
            int pair = (int) (magnitude % 100);
            magnitude /= 100;
            low |= (long) (((pair / 10) << 4) | (pair % 10)) << (8 * i);
        }
        int pair = (int) (magnitude % 100);
        bcdHigh = ((pair / 10) << 4) | (pair % 10) | ((se & 0x8000) != 0 ? 0x8000 : 0);
        return low;
    }

    int bcdHighBytes() {
        return bcdHigh;
    }

    // ---- comparisons ------------------------------------------------------------------------------------------

    static final int LESS = 0, EQUAL = 1, GREATER = 2, UNORDERED = 3;

    /**
     * FCOM (every NaN is invalid) or FUCOM ({@code unordered}: only SNaNs are). Unsupported encodings are always
     * invalid.
     */
    int compare(int aSe, long aSig, int bSe, long bSig, boolean unordered) {
        if (isUnsupported(aSe, aSig) || isUnsupported(bSe, bSig)) {
            exceptions |= IE;
            return UNORDERED;
        }
        boolean aNaN = isNaN(aSe, aSig), bNaN = isNaN(bSe, bSig);
        if (aNaN || bNaN) {
            if (!unordered || isSignaling(aSe, aSig) || isSignaling(bSe, bSig)) {
                exceptions |= IE;
            }
            return UNORDERED;
        }
        denormalStops(aSe, aSig, bSe, bSig);
        boolean aZero = isZero(aSe, aSig), bZero = isZero(bSe, bSig);
        if (aZero && bZero) {
            return EQUAL;
        }
        int aSign = aZero ? 0 : (aSe >>> 15) & 1;
        int bSign = bZero ? 0 : (bSe >>> 15) & 1;
        int magnitude = compareMagnitude(aSe, aSig, aZero, bSe, bSig, bZero);
        int order;
        if (aZero || bZero) {
            order = aZero ? (bSign != 0 ? 1 : -1) : (aSign != 0 ? -1 : 1);
        } else if (aSign != bSign) {
            order = aSign != 0 ? -1 : 1;
        } else {
            order = aSign != 0 ? -magnitude : magnitude;
        }
        return order < 0 ? LESS : order == 0 ? EQUAL : GREATER;
    }

    private static int compareMagnitude(int aSe, long aSig, boolean aZero, int bSe, long bSig, boolean bZero) {
        if (aZero || bZero) {
            return 0;
        }
        int aExp = normalExponent(aSe, aSig), bExp = normalExponent(bSe, bSig);
        if (aExp != bExp) {
            return aExp < bExp ? -1 : 1;
        }
        return Long.compareUnsigned(normalSignificand(aSig), normalSignificand(bSig));
    }

    // ---- FPREM, FPREM1, FSCALE, FXTRACT -----------------------------------------------------------------------

    /** Quotient bits and the incomplete-reduction flag of the last {@link #partialRemainder}. */
    int quotientBits;
    /** quotientBits after a NaN or invalid operand: no quotient, C0 and C3 stay as they were. */
    static final int NO_QUOTIENT = -1;
    boolean reductionIncomplete;

    /**
     * Exponent difference at and above which FPREM reduces only partially. The SDM leaves the number of quotient
     * bits N "implementation-dependent between 32 and 63"; the reference takes N = 32 + (difference mod 32).
     */
    static final int PARTIAL_THRESHOLD = 64;

    /**
     * FPREM (truncating quotient) or FPREM1 (IEEE remainder, {@code nearest}): ST(0) mod ST(1), exact. For an
     * exponent difference of 64 or more only a partial remainder is produced and C2 reports it.
     */
    void partialRemainder(int aSe, long aSig, int bSe, long bSig, boolean nearest) {
        quotientBits = NO_QUOTIENT;
        reductionIncomplete = false;
        if (specialBinary(aSe, aSig, bSe, bSig)) {
            return;
        }
        boolean aInf = isInfinity(aSe, aSig), bZero = isZero(bSe, bSig);
        if (aInf || bZero) {
            invalid();
            return;
        }
        quotientBits = 0;
        if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (isZero(aSe, aSig) || isInfinity(bSe, bSig)) {
            setResult(aSe, aSig);
            if (isDenormal(aSe, aSig)) {
                roundToRegister((aSe >>> 15) & 1, normalExponent(aSe, aSig), normalSignificand(aSig), 0, 64);
            }
            return;
        }
        int sign = (aSe >>> 15) & 1;
        int aExp = normalExponent(aSe, aSig), bExp = normalExponent(bSe, bSig);
        long aM = normalSignificand(aSig), bM = normalSignificand(bSig);
        int difference = aExp - bExp;
        if (difference >= PARTIAL_THRESHOLD) {
            reductionIncomplete = true;
            int reduction = 32 + (difference & 31);
            int scaledExp = bExp + difference - reduction;
            long remainder = remainderOf(aM, bM, reduction);
            quotientBits = 0;
            packRemainder(sign, scaledExp, remainder);
            return;
        }
        long remainder;
        int remainderExp = bExp;
        if (difference < 0) {
            remainder = aM;
            remainderExp = aExp;
            if (nearest && difference == -1 && Long.compareUnsigned(aM, bM) > 0) {
                remainder = 2 * bM - aM;
                sign ^= 1;
                quotientBits = 1;
            }
        } else {
            remainder = remainderOf(aM, bM, difference);
            if (nearest) {
                int order = Long.compareUnsigned(remainder, bM - remainder);
                if (order > 0 || (order == 0 && (quotientBits & 1) != 0)) {
                    remainder = bM - remainder;
                    sign ^= 1;
                    quotientBits++;
                }
            }
        }
        packRemainder(sign, remainderExp, remainder);
    }

    /** (aM × 2^difference) mod bM for 0 <= difference < 64, leaving the quotient in quotientBits. */
    private long remainderOf(long aM, long bM, int difference) {
        long first = Long.compareUnsigned(aM, bM) >= 0 ? 1 : 0;
        long r = first != 0 ? aM - bM : aM;
        if (difference == 0) {
            quotientBits = (int) first;
            return r;
        }
        long q = divideUnsigned128(r >>> (64 - difference), r << difference, bM);
        quotientBits = (int) ((first << difference) + q);
        return divisionRemainder;
    }

    private void packRemainder(int sign, int exponent, long remainder) {
        if (remainder == 0) {
            setResult(sign << 15, 0);
            return;
        }
        int shift = Long.numberOfLeadingZeros(remainder);
        roundToRegister(sign, exponent - shift, remainder << shift, 0, 64);
    }

    /** FSCALE: ST(0) × 2^trunc(ST(1)). */
    void scale(int aSe, long aSig, int bSe, long bSig) {
        if (specialBinary(aSe, aSig, bSe, bSig)) {
            return;
        }
        int sign = (aSe >>> 15) & 1;
        boolean aInf = isInfinity(aSe, aSig), aZero = isZero(aSe, aSig);
        if (isInfinity(bSe, bSig)) {
            boolean up = (bSe & 0x8000) == 0;
            if ((up && aZero) || (!up && aInf)) {
                invalid();
                return;
            }
            if (denormalStops(aSe, aSig, 0, 0)) {
            return;
        }
            setResult(aZero || !up ? sign << 15 : (sign << 15) | EXP_MAX, aZero || !up ? 0 : INTEGER_BIT);
            return;
        }
        if (denormalStops(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (aInf || aZero) {
            setResult(aSe, aSig);
            return;
        }
        int scaleBy = 0;
        if (!isZero(bSe, bSig)) {
            int unbiased = normalExponent(bSe, bSig) - BIAS;
            long m = normalSignificand(bSig);
            int magnitude = unbiased >= 30 ? 1 << 30 : unbiased < 0 ? 0 : (int) (m >>> (63 - unbiased));
            scaleBy = (bSe & 0x8000) != 0 ? -magnitude : magnitude;
        }
        long exponent = (long) normalExponent(aSe, aSig) + scaleBy;
        int clamped = (int) Math.max(-0x20000, Math.min(0x20000, exponent));
        roundToRegister(sign, clamped, normalSignificand(aSig), 0, 64);
    }

    /** FXTRACT: the exponent as a value; the significand is left in {@link #extractedSignificand}. */
    int extractedSignExponent;
    long extractedSignificand;

    void extract(int se, long sig) {
        if (specialUnary(se, sig)) {
            extractedSignExponent = resultSignExponent;
            extractedSignificand = resultSignificand;
            return;
        }
        int kind = classify(se, sig);
        if (kind == ZERO) {
            exceptions |= ZE;
            setResult(0x8000 | EXP_MAX, INTEGER_BIT);
            extractedSignExponent = se;
            extractedSignificand = sig;
            return;
        }
        if (kind == INFINITY) {
            setResult(EXP_MAX, INTEGER_BIT);
            extractedSignExponent = se;
            extractedSignificand = sig;
            return;
        }
        if (denormalStops(se, sig, 0, 0)) {
            return;
        }
        extractedSignExponent = (se & 0x8000) | BIAS;
        extractedSignificand = normalSignificand(sig);
        fromInteger(normalExponent(se, sig) - BIAS);
    }
}
