package dev.parapet.masking;

/** Byte classes the detectors test on every byte, from one table instead of chains of compares. */
final class Ascii {

    static final int DIGIT = 1;
    static final int UPPER = 2;
    static final int LOWER = 4;
    static final int HEX_LETTER = 8;
    /** Characters of base64 and base64url, the alphabet of keys and tokens. */
    static final int TOKEN = 16;
    /** Characters that may stand between the digits of one written number ({@code +1 (650) 253-0000}). */
    static final int NUMBER_PUNCTUATION = 32;
    /** Bytes the pre-filter must look at more closely: digits and the anchors of the detectors. */
    static final int ANCHOR = 64;

    private static final byte[] TABLE = new byte[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TABLE[c] = DIGIT | TOKEN;
        }
        for (int c = 'A'; c <= 'Z'; c++) {
            TABLE[c] = UPPER | TOKEN;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TABLE[c] = LOWER | TOKEN;
        }
        for (int c = 'a'; c <= 'f'; c++) {
            TABLE[c] |= HEX_LETTER;
            TABLE[c - 'a' + 'A'] |= HEX_LETTER;
        }
        for (char c : "+/=_-".toCharArray()) {
            TABLE[c] = TOKEN;
        }
        for (char c : " -+()./".toCharArray()) {
            TABLE[c] |= NUMBER_PUNCTUATION;
        }
        for (char c : "0123456789@.:-JB".toCharArray()) {
            TABLE[c] |= ANCHOR;
        }
    }

    private Ascii() {}

    static int classOf(byte b) {
        return TABLE[b & 0xff];
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isUpper(byte b) {
        return b >= 'A' && b <= 'Z';
    }

    static boolean isAlnum(byte b) {
        return (TABLE[b & 0xff] & (DIGIT | UPPER | LOWER)) != 0;
    }

    static boolean isHex(byte b) {
        return (TABLE[b & 0xff] & (DIGIT | HEX_LETTER)) != 0;
    }

    /** base64url: letters, digits, '-' and '_'. */
    static boolean isBase64Url(byte b) {
        return isAlnum(b) || b == '-' || b == '_';
    }

    static boolean isNumberPunctuation(byte b) {
        return (TABLE[b & 0xff] & NUMBER_PUNCTUATION) != 0;
    }

    static boolean isToken(byte b) {
        return (TABLE[b & 0xff] & TOKEN) != 0;
    }

    static boolean startsWith(byte[] b, int at, int to, String ascii) {
        int n = ascii.length();
        if (at < 0 || to - at < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** First index of {@code ascii} in {@code b[from, to)}, or -1. */
    static int indexOf(byte[] b, int from, int to, String ascii) {
        byte first = (byte) ascii.charAt(0);
        for (int i = from; i <= to - ascii.length(); i++) {
            if (b[i] == first && startsWith(b, i, to, ascii)) {
                return i;
            }
        }
        return -1;
    }
}
