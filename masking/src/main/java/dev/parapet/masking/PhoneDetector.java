package dev.parapet.masking;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import java.nio.charset.StandardCharsets;

/**
 * Telephone numbers in free text, through libphonenumber's matcher at leniency VALID: the number
 * must be a valid number of its country's plan, which rules out most digit strings. Numbers written
 * without a '+' are read as numbers of the default region.
 *
 * <p>A match written as a bare run of digits with no '+' is dropped: ten-digit order numbers,
 * account ids and timestamps are valid US numbers as often as not, and a phone number that is
 * meant to be read is nearly always written with a '+', spaces, dashes, dots or parentheses.
 */
final class PhoneDetector {

    /** Bounds the matcher's work on a cell full of digits. */
    private static final long MAX_TRIES = 64;

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    PhoneDetector(String defaultRegion) {
        if (!util.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("unknown phone region " + defaultRegion);
        }
        this.defaultRegion = defaultRegion;
    }

    void find(byte[] b, int from, int to, boolean ascii, Findings out) {
        String text = new String(b, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        int charPos = 0;
        int bytePos = from;
        for (PhoneNumberMatch m : util.findNumbers(text, defaultRegion, Leniency.VALID, MAX_TRIES)) {
            if (isBareDigits(m.rawString())) {
                continue;
            }
            if (ascii) {
                out.add(from + m.start(), from + m.end(), DataClass.PHONE);
                continue;
            }
            // Matches come in order: carry the char-to-byte mapping forward instead of restarting.
            bytePos += utf8Length(text, charPos, m.start());
            int start = bytePos;
            bytePos += utf8Length(text, m.start(), m.end());
            charPos = m.end();
            out.add(start, Math.min(bytePos, to), DataClass.PHONE);
        }
    }

    private static boolean isBareDigits(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** How many UTF-8 bytes the chars {@code [from, to)} of {@code s} take. */
    static int utf8Length(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isSurrogate(c)) {
                n += 2; // a pair takes four bytes, two per half
            } else {
                n += 3;
            }
        }
        return n;
    }
}
