package dev.parapet.masking;

import java.util.Arrays;

/**
 * Credentials that are plain runs of key characters: provider keys recognised by their published
 * prefixes (AWS access key ids, Google API keys, GitHub, GitLab, Slack, Stripe and npm tokens),
 * and other high-entropy base64-like runs.
 *
 * <p>The entropy test is built to pass random keys and to refuse the long runs ordinary data is
 * made of. A run counts when it has at least {@value PreFilter#MIN_TOKEN_RUN} characters;
 * capitals, small letters and digits; a letter outside a-f (so no hex digest, git hash or UUID:
 * those are identifiers far more often than secrets, and a column of hex keys is found by its
 * name instead); a Shannon entropy at least that of the weakest 1% of random base64 strings of
 * its length; and a character class changing at least four times in ten characters, which
 * separates random text from camel-case identifiers ({@code getUserAccountSettings2FA}) of
 * similar entropy. Base64-encoded content (a small image, an encoded document) passes too and
 * is masked: opaque data is the safer thing to over-mask.
 */
final class SecretTokenDetector {

    /** Random base64 strings of length L (L = 20, 24, 28, 32, 40, 48, 64): entropy of the weakest 1%. */
    private static final int[] LENGTHS = {20, 24, 28, 32, 40, 48, 64};
    private static final double[] MIN_ENTROPY = {3.68, 3.89, 4.07, 4.23, 4.47, 4.66, 4.93};
    private static final double MIN_CLASS_CHANGES = 0.4;

    private static final String[] AWS_PREFIXES =
            {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA"};

    private SecretTokenDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        findPrefixed(b, from, to, out);
        findHighEntropy(b, from, to, out);
    }

    private static void findPrefixed(byte[] b, int from, int to, Findings out) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (!(c == 'A' || c == 'g' || c == 'x' || c == 's' || c == 'r' || c == 'n')
                    || (i > from && (Ascii.isAlnum(b[i - 1]) || b[i - 1] == '_'))) {
                continue;
            }
            int end = prefixedKeyEnd(b, i, to);
            if (end > 0 && !(end < to && Ascii.isBase64Url(b[end]))) {
                out.add(i, end, DataClass.SECRET);
                i = end - 1;
            }
        }
    }

    /** End of a provider key starting at {@code i}, or -1. */
    private static int prefixedKeyEnd(byte[] b, int i, int to) {
        switch (b[i]) {
            case 'A' -> {
                for (String p : AWS_PREFIXES) {
                    if (Ascii.startsWith(b, i, to, p)) {
                        int end = i + 20;
                        return end <= to && allUpperOrDigit(b, i + 4, end) ? end : -1;
                    }
                }
                if (Ascii.startsWith(b, i, to, "AIza")) {
                    return exactly(b, i + 4, to, 35);
                }
                return -1;
            }
            case 'g' -> {
                if (Ascii.startsWith(b, i, to, "github_pat_")) {
                    return atLeast(b, i + 11, to, 22);
                }
                if (Ascii.startsWith(b, i, to, "glpat-")) {
                    return atLeast(b, i + 6, to, 20);
                }
                if (i + 4 <= to && b[i + 1] == 'h' && b[i + 3] == '_' && "pousr".indexOf(b[i + 2]) >= 0) {
                    return atLeast(b, i + 4, to, 36);
                }
                return -1;
            }
            case 'x' -> {
                if (i + 5 <= to && b[i + 1] == 'o' && b[i + 2] == 'x' && b[i + 4] == '-' && "abeprs".indexOf(b[i + 3]) >= 0) {
                    return atLeast(b, i + 5, to, 10);
                }
                return -1;
            }
            case 's', 'r' -> {
                if (Ascii.startsWith(b, i, to, "sk_live_") || Ascii.startsWith(b, i, to, "rk_live_")
                        || Ascii.startsWith(b, i, to, "sk_test_")) {
                    return atLeast(b, i + 8, to, 20);
                }
                return -1;
            }
            case 'n' -> {
                return Ascii.startsWith(b, i, to, "npm_") ? exactly(b, i + 4, to, 36) : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    private static boolean allUpperOrDigit(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Ascii.isUpper(b[i]) && !Ascii.isDigit(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static int bodyEnd(byte[] b, int from, int to) {
        int j = from;
        while (j < to && Ascii.isBase64Url(b[j])) {
            j++;
        }
        return j;
    }

    private static int exactly(byte[] b, int from, int to, int n) {
        int end = bodyEnd(b, from, to);
        return end - from == n ? end : -1;
    }

    private static int atLeast(byte[] b, int from, int to, int n) {
        int end = bodyEnd(b, from, to);
        return end - from >= n ? end : -1;
    }

    private static void findHighEntropy(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            if (!isRunChar(b[i])) {
                i++;
                continue;
            }
            int start = i;
            while (i < to && isRunChar(b[i])) {
                i++;
            }
            int end = i;
            while (i < to && b[i] == '=' && i - end < 2) {
                i++;
            }
            if (end - start >= PreFilter.MIN_TOKEN_RUN && looksRandom(b, start, end, out.counts)) {
                out.add(start, i, DataClass.SECRET);
            }
        }
    }

    private static boolean isRunChar(byte c) {
        return Ascii.isToken(c) && c != '=';
    }

    static boolean looksRandom(byte[] b, int from, int to, int[] counts) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        boolean beyondHex = false;
        int changes = 0;
        int previous = -1;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            int kind;
            if (Ascii.isDigit(c)) {
                digit = true;
                kind = 0;
            } else if (Ascii.isUpper(c)) {
                upper = true;
                beyondHex |= c > 'F';
                kind = 1;
            } else if (c >= 'a' && c <= 'z') {
                lower = true;
                beyondHex |= c > 'f';
                kind = 2;
            } else {
                kind = 3;
            }
            if (previous >= 0 && kind != previous) {
                changes++;
            }
            previous = kind;
        }
        int n = to - from;
        if (!(upper && lower && digit && beyondHex) || changes < MIN_CLASS_CHANGES * (n - 1)) {
            return false;
        }
        return entropy(b, from, to, counts) >= minEntropy(n);
    }

    static double entropy(byte[] b, int from, int to, int[] counts) {
        Arrays.fill(counts, 0);
        for (int i = from; i < to; i++) {
            counts[b[i] & 0x7f]++;
        }
        int n = to - from;
        double sum = 0;
        for (int count : counts) {
            if (count > 0) {
                sum += count * Math.log(count);
            }
        }
        return (Math.log(n) - sum / n) / Math.log(2);
    }

    static double minEntropy(int length) {
        if (length >= LENGTHS[LENGTHS.length - 1]) {
            return MIN_ENTROPY[MIN_ENTROPY.length - 1];
        }
        for (int k = 1; k < LENGTHS.length; k++) {
            if (length <= LENGTHS[k]) {
                double t = (double) (length - LENGTHS[k - 1]) / (LENGTHS[k] - LENGTHS[k - 1]);
                return MIN_ENTROPY[k - 1] + t * (MIN_ENTROPY[k] - MIN_ENTROPY[k - 1]);
            }
        }
        return MIN_ENTROPY[0];
    }
}
