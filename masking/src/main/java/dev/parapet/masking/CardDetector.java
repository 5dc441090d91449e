package dev.parapet.masking;

/**
 * Payment card numbers: 13 to 19 digits, written in one run or in groups split by single spaces or
 * dashes, passing the Luhn check, starting with 2 to 6 (the major networks: Mastercard's 2-series,
 * Amex, Diners and JCB, Visa, Mastercard, Discover, UnionPay, Maestro) and not one digit repeated.
 *
 * <p>The Luhn check passes one random number in ten, so a 16-digit order id that starts with 2 to
 * 6 is taken for a card about once in ten. That over-masking is accepted: the other choice lets
 * real card numbers through. Digits glued to letters ({@code INV4111111111111111}) are an id, not
 * a card. Within a longer spaced run ({@code qty 12 4111 1111 1111 1111}) every span of whole
 * groups is tried, so a card next to another number is still found.
 */
final class CardDetector {

    private static final int MAX_GROUPS = 24;

    private CardDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        int[] groupStart = new int[MAX_GROUPS];
        int[] groupEnd = new int[MAX_GROUPS];
        int i = from;
        while (i < to) {
            if (!Ascii.isDigit(b[i])) {
                i++;
                continue;
            }
            boolean gluedBefore = i > from && (Ascii.isAlnum(b[i - 1]) || isDecimalPoint(b, from, i - 1));
            int groups = 0;
            int j = i;
            while (true) {
                int gs = j;
                while (j < to && Ascii.isDigit(b[j])) {
                    j++;
                }
                if (groups < MAX_GROUPS) {
                    groupStart[groups] = gs;
                    groupEnd[groups] = j;
                    groups++;
                }
                if (j + 1 < to && (b[j] == ' ' || b[j] == '-') && Ascii.isDigit(b[j + 1])) {
                    j++;
                    continue;
                }
                break;
            }
            int first = gluedBefore ? 1 : 0;
            int last = j < to && Ascii.isAlnum(b[j]) ? groups - 2 : groups - 1;
            findInGroups(b, groupStart, groupEnd, first, last, out);
            i = j;
        }
    }

    /** Tries the spans of whole groups {@code [first, last]}, longest first from each start. */
    private static void findInGroups(byte[] b, int[] gs, int[] ge, int first, int last, Findings out) {
        int g = first;
        while (g <= last) {
            int found = -1;
            int digits = 0;
            int lastTried = g;
            for (int h = g; h <= last; h++) {
                digits += ge[h] - gs[h];
                if (digits > 19) {
                    break;
                }
                lastTried = h;
            }
            for (int h = lastTried; h >= g && found < 0; h--) {
                int n = countDigits(gs, ge, g, h);
                if (n >= 13 && n <= 19 && isCardNumber(b, gs[g], ge[h])) {
                    found = h;
                }
            }
            if (found >= 0) {
                out.add(gs[g], ge[found], DataClass.CARD_NUMBER);
                g = found + 1;
            } else {
                g++;
            }
        }
    }

    private static int countDigits(int[] gs, int[] ge, int g, int h) {
        int n = 0;
        for (int k = g; k <= h; k++) {
            n += ge[k] - gs[k];
        }
        return n;
    }

    /** Digits of {@code b[from, to)}, skipping separators: network prefix, not all alike, Luhn. */
    static boolean isCardNumber(byte[] b, int from, int to) {
        if (b[from] < '2' || b[from] > '6') {
            return false;
        }
        int sum = 0;
        boolean twice = false;
        boolean allSame = true;
        for (int i = to - 1; i >= from; i--) {
            byte c = b[i];
            if (!Ascii.isDigit(c)) {
                continue;
            }
            if (c != b[from]) {
                allSame = false;
            }
            int d = c - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return !allSame && sum % 10 == 0;
    }

    /** A '.' with a digit before it: what follows is the fraction of a decimal number. */
    private static boolean isDecimalPoint(byte[] b, int from, int at) {
        return b[at] == '.' && at > from && Ascii.isDigit(b[at - 1]);
    }
}
