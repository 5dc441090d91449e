package dev.parapet.masking;

import java.util.Set;

/**
 * E-mail addresses, found by growing outwards from each '@'. The local part is kept to the
 * characters people actually use (letters, digits, {@code . _ % + -}); quoted local parts and the
 * rarer RFC 5322 symbols are left out, because in free text they are far more often the
 * punctuation around an address than part of it. The domain needs two labels or more and a
 * last label of letters that is not a file extension ({@code logo@2x.png} is an image).
 */
final class EmailDetector {

    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 253;
    private static final Set<String> FILE_EXTENSIONS =
            Set.of("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "pdf");

    private EmailDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            if (b[i] != '@') {
                i++;
                continue;
            }
            int end = match(b, from, to, i, out);
            i = Math.max(end, i + 1);
        }
    }

    /** Reports the address around the '@' at {@code at}; returns where scanning goes on. */
    private static int match(byte[] b, int from, int to, int at, Findings out) {
        int start = at;
        while (start > from && isLocalChar(b[start - 1])) {
            start--;
        }
        while (start < at && b[start] == '.') {
            start++;
        }
        if (start == at || at - start > MAX_LOCAL || b[at - 1] == '.') {
            return at + 1;
        }
        int end = at + 1;
        while (end < to && isDomainChar(b[end])) {
            end++;
        }
        while (end > at + 1 && (b[end - 1] == '.' || b[end - 1] == '-')) {
            end--;
        }
        if (end - at - 1 > MAX_DOMAIN || !isDomain(b, at + 1, end)) {
            return at + 1;
        }
        out.add(start, end, DataClass.EMAIL);
        return end;
    }

    private static boolean isDomain(byte[] b, int from, int to) {
        int labels = 0;
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            if (i == to || b[i] == '.') {
                int len = i - labelStart;
                if (len == 0 || len > 63 || b[labelStart] == '-' || b[i - 1] == '-') {
                    return false;
                }
                labels++;
                if (i == to) {
                    return labels >= 2 && isTopLevel(b, labelStart, i);
                }
                labelStart = i + 1;
            }
        }
        return false;
    }

    private static boolean isTopLevel(byte[] b, int from, int to) {
        if (to - from < 2) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        if (to - from <= 4) {
            String tld = new String(b, from, to - from, java.nio.charset.StandardCharsets.US_ASCII);
            return !FILE_EXTENSIONS.contains(tld.toLowerCase(java.util.Locale.ROOT));
        }
        return true;
    }

    private static boolean isLocalChar(byte c) {
        return Ascii.isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static boolean isDomainChar(byte c) {
        return Ascii.isAlnum(c) || c == '.' || c == '-';
    }
}
