package dev.parapet.masking;

/**
 * International bank account numbers: a country code from the IBAN registry, two check digits and
 * exactly the length that country uses, written in one run or in groups of four split by single
 * spaces, in capitals, and passing the ISO 7064 mod-97 check (which a random string passes once
 * in 97 times, and a one-character typo never).
 */
final class IbanDetector {

    /** Country code and total length, from the IBAN registry. */
    private static final String LENGTHS = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 "
            + "CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 "
            + "IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 "
            + "MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 "
            + "SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30";

    private static final byte[] LENGTH_BY_COUNTRY = new byte[26 * 26];

    static {
        for (String entry : LENGTHS.split(" ")) {
            LENGTH_BY_COUNTRY[(entry.charAt(0) - 'A') * 26 + entry.charAt(1) - 'A'] =
                    (byte) Integer.parseInt(entry.substring(2));
        }
    }

    private IbanDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        for (int i = from; i + 4 < to; i++) {
            if (!Ascii.isUpper(b[i]) || !Ascii.isUpper(b[i + 1]) || !Ascii.isDigit(b[i + 2]) || !Ascii.isDigit(b[i + 3])) {
                continue;
            }
            if (i > from && Ascii.isAlnum(b[i - 1])) {
                continue;
            }
            int length = LENGTH_BY_COUNTRY[(b[i] - 'A') * 26 + b[i + 1] - 'A'];
            if (length == 0) {
                continue;
            }
            int end = endOf(b, i, to, length);
            if (end > 0 && mod97(b, i, end) == 1) {
                out.add(i, end, DataClass.IBAN);
                i = end - 1;
            }
        }
    }

    /** Where an IBAN of {@code length} characters starting at {@code start} ends, or -1. */
    private static int endOf(byte[] b, int start, int to, int length) {
        int n = 0;
        int j = start;
        while (n < length) {
            if (j >= to) {
                return -1;
            }
            byte c = b[j];
            if (c == ' ' && n % 4 == 0 && j + 1 < to && b[j - 1] != ' ') {
                j++;
                continue;
            }
            if (!Ascii.isDigit(c) && !Ascii.isUpper(c)) {
                return -1;
            }
            n++;
            j++;
        }
        return j < to && Ascii.isAlnum(b[j]) ? -1 : j;
    }

    /** The IBAN's remainder mod 97 with the first four characters moved to the end. */
    private static int mod97(byte[] b, int start, int end) {
        int head = start;
        int n = 0;
        while (n < 4) {
            if (b[head] != ' ') {
                n++;
            }
            head++;
        }
        int r = 0;
        r = mod97(b, head, end, r);
        return mod97(b, start, head, r);
    }

    private static int mod97(byte[] b, int from, int to, int r) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ' ') {
                continue;
            }
            if (Ascii.isDigit(c)) {
                r = (r * 10 + (c - '0')) % 97;
            } else {
                r = (r * 100 + (c - 'A' + 10)) % 97;
            }
        }
        return r;
    }
}
