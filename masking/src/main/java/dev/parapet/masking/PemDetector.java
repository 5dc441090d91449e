package dev.parapet.masking;

/**
 * PEM private-key blocks ({@code -----BEGIN RSA PRIVATE KEY-----} and its EC, OpenSSH, PKCS#8,
 * encrypted and PGP kin), from the BEGIN line to the end of the END line. A block cut off before
 * its END line (a truncated column) is masked to the end of the cell. Certificates and public
 * keys are not secrets and are left alone.
 */
final class PemDetector {

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private PemDetector() {}

    static void find(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            int begin = Ascii.indexOf(b, i, to, BEGIN);
            if (begin < 0) {
                return;
            }
            int labelEnd = Ascii.indexOf(b, begin + BEGIN.length(), Math.min(to, begin + 80), DASHES);
            if (labelEnd < 0 || !isPrivateKeyLabel(b, begin + BEGIN.length(), labelEnd)) {
                i = begin + BEGIN.length();
                continue;
            }
            int endLine = Ascii.indexOf(b, labelEnd + DASHES.length(), to, END);
            int end = to;
            if (endLine >= 0) {
                int close = Ascii.indexOf(b, endLine + END.length(), Math.min(to, endLine + 100), DASHES);
                end = close >= 0 ? close + DASHES.length() : to;
            }
            out.add(begin, end, DataClass.SECRET);
            i = end;
        }
    }

    private static boolean isPrivateKeyLabel(byte[] b, int from, int to) {
        return Ascii.indexOf(b, from, to, "PRIVATE KEY") >= 0;
    }
}
