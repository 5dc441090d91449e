package dev.parapet.masking;

/**
 * One pass over a cell's bytes that decides which detectors could possibly match, so that a cell
 * with nothing suspicious costs this loop and nothing else: no regular expression, no decoding,
 * no allocation. Each flag is a necessary condition of its detector, never a sufficient one.
 */
final class PreFilter {

    static final int EMAIL = 1;
    static final int PHONE = 1 << 1;
    static final int CARD = 1 << 2;
    static final int SSN = 1 << 3;
    static final int IBAN = 1 << 4;
    static final int IPV4 = 1 << 5;
    static final int IPV6 = 1 << 6;
    static final int JWT = 1 << 7;
    static final int PEM = 1 << 8;
    /** A run of key characters long enough for an API key or a high-entropy secret. */
    static final int LONG_TOKEN = 1 << 9;

    /** Shortest run that the key and entropy detectors look at. */
    static final int MIN_TOKEN_RUN = 20;
    /** Fewest digits in a phone number worth reporting. */
    static final int MIN_PHONE_DIGITS = 7;
    static final int MIN_CARD_DIGITS = 13;

    private PreFilter() {}


    /** The detectors that could match somewhere in {@code b[from, to)}, as a set of flags. */
    static int candidates(byte[] b, int from, int to) {
        int dots = 0;
        int dashes = 0;
        int hexColons = 0;
        int run = 0;
        int longestRun = 0;
        int runDigits = 0;
        int mostRunDigits = 0;
        int flags = 0;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            int cls = Ascii.classOf(c);
            if ((cls & Ascii.TOKEN) != 0) {
                run++;
            } else {
                longestRun = Math.max(longestRun, run);
                run = 0;
            }
            // Phone, card and SSN digits are counted per written number (digits and the
            // punctuation between them), so a document full of short numbers wakes none of them.
            if ((cls & (Ascii.DIGIT | Ascii.NUMBER_PUNCTUATION)) == 0) {
                runDigits = 0;
            }
            if ((cls & Ascii.ANCHOR) == 0) {
                continue;
            }
            // The rare bytes: look back at their neighbours in the array itself.
            if ((cls & Ascii.DIGIT) != 0) {
                mostRunDigits = Math.max(mostRunDigits, ++runDigits);
                if (i - from >= 3 && Ascii.isDigit(b[i - 1]) && Ascii.isUpper(b[i - 2]) && Ascii.isUpper(b[i - 3])) {
                    flags |= IBAN;
                }
            } else if (c == '@') {
                flags |= EMAIL;
            } else if (c == '.') {
                dots++;
            } else if (c == ':') {
                if (i > from && (b[i - 1] == ':' || Ascii.isHex(b[i - 1]))) {
                    hexColons++;
                }
            } else if (c == '-') {
                dashes++;
            } else if (c == 'J') {
                if (i - from >= 2 && b[i - 1] == 'y' && b[i - 2] == 'e') {
                    flags |= JWT;
                }
            } else if (i - from >= 5 && Ascii.startsWith(b, i - 5, to, "-----")) {
                flags |= PEM; // c is 'B'
            }
        }
        longestRun = Math.max(longestRun, run);
        if ((flags & EMAIL) != 0 && dots == 0) {
            flags &= ~EMAIL;
        }
        if (mostRunDigits >= MIN_PHONE_DIGITS) {
            flags |= PHONE;
            if (mostRunDigits >= MIN_CARD_DIGITS) {
                flags |= CARD;
            }
            if (mostRunDigits >= 9 && dashes >= 2) {
                flags |= SSN;
            }
        }
        if (dots >= 3 && mostRunDigits >= 4) {
            flags |= IPV4;
        }
        if (hexColons >= 2) {
            flags |= IPV6;
        }
        if (longestRun >= MIN_TOKEN_RUN) {
            flags |= LONG_TOKEN;
        }
        return flags;
    }
}
