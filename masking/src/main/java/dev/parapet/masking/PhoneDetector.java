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

    /** Bounds the matcher's work on one window of digits. */
    private static final long MAX_TRIES = 16;
    /** The most digits a telephone number has (E.164: 15), with room for an extension's first digits. */
    private static final int MAX_NUMBER_DIGITS = 17;

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    PhoneDetector(String defaultRegion) {
        if (!util.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("unknown phone region " + defaultRegion);
        }
        this.defaultRegion = defaultRegion;
    }

    /**
     * Runs the matcher on each window of digits and number punctuation holding enough digits, not
     * on the whole cell: the matcher is costly, and a document full of short numbers would make
     * it try every one of them.
     */
    void find(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            if (!Ascii.isDigit(b[i]) && b[i] != '+' && b[i] != '(') {
                i++;
                continue;
            }
            int start = i;
            int digits = 0;
            while (i < to && (Ascii.isDigit(b[i]) || Ascii.isNumberPunctuation(b[i]))) {
                if (Ascii.isDigit(b[i])) {
                    digits++;
                }
                i++;
            }
            int end = i;
            while (end > start && !Ascii.isDigit(b[end - 1])) {
                end--;
            }
            // A window the stricter detectors already took (a card, an IBAN, an SSN, an IP
            // address) would lose to them anyway: the matcher is not worth its cost there.
            if (digits >= PreFilter.MIN_PHONE_DIGITS && !out.covers(start, end) && !isPartOfCode(b, from, start)
                    && worthMatching(b, start, i)) {
                if (digits <= MAX_NUMBER_DIGITS) {
                    findIn(b, from, to, start, i, out);
                } else {
                    findInParts(b, from, to, start, i, out);
                }
            }
        }
    }

    /**
     * A window with more digits than one number has (a list of numbers, a long code in groups):
     * the matcher goes over the parts that start at each group and hold at most one number's
     * digits, each a short text, rather than over the whole run, where its cost grows with the
     * run's length (hundreds of microseconds for a 120-character cell).
     */
    private void findInParts(byte[] b, int from, int to, int start, int end, Findings out) {
        for (int p = start; p < end; p++) {
            boolean groupStart = (Ascii.isDigit(b[p]) || b[p] == '+' || b[p] == '(')
                    && (p == start || !Ascii.isDigit(b[p - 1])) && (p == start || b[p - 1] != '+' && b[p - 1] != '(');
            if (!groupStart) {
                continue;
            }
            int q = p;
            int digits = 0;
            int lastDigitEnd = p;
            while (q < end) {
                if (Ascii.isDigit(b[q])) {
                    if (digits == MAX_NUMBER_DIGITS) {
                        break;
                    }
                    digits++;
                    lastDigitEnd = q + 1;
                }
                q++;
            }
            if (digits >= PreFilter.MIN_PHONE_DIGITS && !out.covers(p, lastDigitEnd)
                    && worthMatching(b, p, lastDigitEnd)) {
                findIn(b, from, to, p, lastDigitEnd, out);
            }
        }
    }

    /**
     * Digits glued to a word, directly or by a dash, underscore or slash ({@code INV-2024-000123},
     * {@code ref_20240615}): part of a code, not a number to call.
     */
    private static boolean isPartOfCode(byte[] b, int from, int start) {
        if (start == from) {
            return false;
        }
        byte before = b[start - 1];
        if (Ascii.isAlnum(before)) {
            return true;
        }
        return (before == '-' || before == '_' || before == '/') && start - 1 > from && Ascii.isAlnum(b[start - 2]);
    }

    /**
     * Whether a run of digits and punctuation could hold a number this detector would report.
     * The matcher costs microseconds, and the commonest runs are none: a bare digit run (dropped
     * anyway, see the class comment), an ISO or European date, a decimal number.
     */
    static boolean worthMatching(byte[] b, int start, int end) {
        int groups = 0;
        int dots = 0;
        int others = 0;
        int[] firstGroups = new int[3];
        int groupDigits = 0;
        int smallestGroup = Integer.MAX_VALUE;
        boolean inGroup = false;
        boolean plusOrParen = false;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (Ascii.isDigit(c)) {
                if (!inGroup) {
                    groups++;
                    inGroup = true;
                    groupDigits = 0;
                }
                groupDigits++;
                if (i + 1 == end || !Ascii.isDigit(b[i + 1])) {
                    smallestGroup = Math.min(smallestGroup, groupDigits);
                }
                if (groups <= 3) {
                    firstGroups[groups - 1]++;
                }
                continue;
            }
            inGroup = false;
            if (c == '+' || c == '(') {
                plusOrParen = true;
            } else if (c == '.') {
                dots++;
            } else if (c != ' ') {
                others++;
            }
        }
        if (plusOrParen) {
            return true;
        }
        if (groups == 1 || (dots == 1 && others == 0 && groups == 2)) {
            return false;
        }
        if (smallestGroup > 4) {
            // numbers written to be read have a group of four digits or fewer (an area code, a
            // block of the subscriber number); runs of long groups are codes and ids
            return false;
        }
        boolean isoDate = firstGroups[0] == 4 && firstGroups[1] == 2 && firstGroups[2] == 2;
        boolean dayFirstDate = firstGroups[0] <= 2 && firstGroups[1] <= 2 && firstGroups[2] == 4;
        return !(groups <= 4 && (isoDate || dayFirstDate));
    }

    /** The matcher on {@code b[start, end)} and one whole character either side, for its context checks. */
    private void findIn(byte[] b, int from, int to, int start, int end, Findings out) {
        int ws = start > from ? start - 1 : start;
        while (ws > from && (b[ws] & 0xC0) == 0x80) {
            ws--;
        }
        int we = end < to ? end + 1 : end;
        while (we < to && (b[we] & 0xC0) == 0x80) {
            we++;
        }
        boolean ascii = true;
        for (int k = ws; k < we; k++) {
            if (b[k] < 0) {
                ascii = false;
                break;
            }
        }
        String text = new String(b, ws, we - ws, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        for (PhoneNumberMatch m : util.findNumbers(text, defaultRegion, Leniency.VALID, MAX_TRIES)) {
            if (isBareDigits(m.rawString())) {
                continue;
            }
            int s = ws + (ascii ? m.start() : utf8Length(text, 0, m.start()));
            int e = ws + (ascii ? m.end() : utf8Length(text, 0, m.end()));
            out.add(s, Math.min(e, to), DataClass.PHONE);
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
