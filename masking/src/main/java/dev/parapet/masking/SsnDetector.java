package dev.parapet.masking;

/**
 * US Social Security numbers written the usual way, {@code AAA-GG-SSSS}, with the rules of
 * issuance: no area 000, 666 or 900-999, no group 00, no serial 0000, and not the two numbers
 * printed in advertisements that people famously used as their own (078-05-1120, 219-09-9999).
 *
 * <p>Nine undashed digits are not taken: too many other numbers have nine digits. A dashed number
 * glued to letters or to more dashed digits ({@code 123-45-6789-01}) is some other code.
 */
final class SsnDetector {

    private static final int[] DIGIT_OFFSETS = {0, 1, 2, 4, 5, 7, 8, 9, 10};

    private SsnDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        for (int i = from; i + 11 <= to; i++) {
            if (b[i + 3] != '-' || b[i + 6] != '-' || !shape(b, i)) {
                continue;
            }
            if (i > from && (Ascii.isAlnum(b[i - 1]) || (b[i - 1] == '-' && i - 1 > from && Ascii.isDigit(b[i - 2])))) {
                continue;
            }
            int end = i + 11;
            if (end < to && (Ascii.isAlnum(b[end]) || (b[end] == '-' && end + 1 < to && Ascii.isDigit(b[end + 1])))) {
                continue;
            }
            if (isIssuable(number(b, i, 3), number(b, i + 4, 2), number(b, i + 7, 4))) {
                out.add(i, end, DataClass.NATIONAL_ID);
                i = end - 1;
            }
        }
    }

    private static boolean shape(byte[] b, int i) {
        for (int k : DIGIT_OFFSETS) {
            if (!Ascii.isDigit(b[i + k])) {
                return false;
            }
        }
        return true;
    }

    static boolean isIssuable(int area, int group, int serial) {
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
            return false;
        }
        return !(area == 78 && group == 5 && serial == 1120) && !(area == 219 && group == 9 && serial == 9999);
    }

    private static int number(byte[] b, int at, int len) {
        int n = 0;
        for (int k = 0; k < len; k++) {
            n = n * 10 + (b[at + k] - '0');
        }
        return n;
    }
}
