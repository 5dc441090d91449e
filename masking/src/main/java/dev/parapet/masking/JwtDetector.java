package dev.parapet.masking;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * JSON Web Tokens: three base64url parts joined by dots (the third may be empty, as in an unsigned
 * token), the first of which decodes to a JSON object naming an {@code "alg"}. The header of every
 * JWT begins with <code>{"</code>, which base64url-encodes to {@code eyJ}: that is the anchor.
 */
final class JwtDetector {

    private static final int MAX_HEADER = 2048;

    private JwtDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            int at = Ascii.indexOf(b, i, to, "eyJ");
            if (at < 0) {
                return;
            }
            if (at > from && (Ascii.isBase64Url(b[at - 1]) || b[at - 1] == '.')) {
                i = at + 3;
                continue;
            }
            int headerEnd = runEnd(b, at, to);
            int payloadEnd = headerEnd < to && b[headerEnd] == '.' ? runEnd(b, headerEnd + 1, to) : -1;
            if (payloadEnd <= headerEnd + 1 || payloadEnd >= to || b[payloadEnd] != '.') {
                i = at + 3;
                continue;
            }
            int end = runEnd(b, payloadEnd + 1, to);
            if ((end < to && b[end] == '.') || !headerNamesAlg(b, at, headerEnd)) {
                i = at + 3;
                continue;
            }
            out.add(at, end, DataClass.SECRET);
            i = end;
        }
    }

    private static int runEnd(byte[] b, int from, int to) {
        int j = from;
        while (j < to && Ascii.isBase64Url(b[j])) {
            j++;
        }
        return j;
    }

    private static boolean headerNamesAlg(byte[] b, int from, int to) {
        if (to - from > MAX_HEADER) {
            return false;
        }
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(java.util.Arrays.copyOfRange(b, from, to));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        String header = new String(json, StandardCharsets.UTF_8).strip();
        return header.startsWith("{") && header.contains("\"alg\"");
    }
}
