package org.vstation.cpu.conformance;

/**
 * The reasons in singlestep-286-differences.txt: where a 286 capture is not
 * the right answer for an i686, and which outcome the Intel SDM prescribes
 * instead. {@link RealModeReference} computes that outcome; the reason says
 * which exception (or none) it must show.
 */
enum KnownDifference {
    /** LOCK on a form that is not lockable or has a register destination: #UD (SDM vol. 2, "LOCK"); the 286 executes it. */
    LOCK(RealModeReference.VECTOR_UD),
    /** A stack-segment operand past offset 0xFFFF: #SS (SDM vol. 2, real-address mode exceptions); the 286 raises interrupt 13. */
    SS_LIMIT(RealModeReference.VECTOR_SS),
    /** A word string operand at offset 0xFFFF: #GP before SI, DI or CX change (restartable); the 286 advances them first. */
    STRING_WRAP(RealModeReference.VECTOR_GP),
    /** Redundant prefixes making the instruction longer than 10 bytes: it executes (limit 15, SDM vol. 2, 2.3.11); interrupt 13 on the 286. */
    LENGTH_LIMIT(-1),
    /** MOV to or from FS/GS: it executes; #UD on the 286, which has no FS and GS. */
    NO_FS_GS(-1);

    /** The exception vector the i686 raises, -1 when the instruction executes. */
    final int vector;

    KnownDifference(int vector) {
        this.vector = vector;
    }

    /** The longest instruction a 286 accepts (Intel 80286 Programmer's Reference, instruction format). */
    static final int LENGTH_LIMIT_286 = 10;

    /** Null when the reference outcome is of this kind, otherwise why not. */
    String disagreement(RealModeReference.Outcome outcome) {
        if (outcome.vector() != vector) {
            return "the i686 reference predicts " + describe(outcome.vector()) + ", not " + describe(vector);
        }
        if (this == LENGTH_LIMIT && outcome.instructionLength() <= LENGTH_LIMIT_286) {
            return "the instruction is only " + outcome.instructionLength() + " bytes long";
        }
        return null;
    }

    static String describe(int vector) {
        return switch (vector) {
            case -1 -> "normal execution";
            case RealModeReference.VECTOR_UD -> "#UD";
            case RealModeReference.VECTOR_SS -> "#SS";
            case RealModeReference.VECTOR_GP -> "#GP";
            default -> "interrupt " + vector;
        };
    }
}
