package dev.parapet.masking;

import java.nio.charset.StandardCharsets;

/** Whether a text is an IP address literal, as an {@code inet} column prints it. */
final class IpLiterals {

    private IpLiterals() {}

    static boolean isV4(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return b.length > 0 && IpDetector.quadEnd(b, 0, b.length) == b.length;
    }

    /** Any IPv6 address, the loopback and the unspecified address included. */
    static boolean isV6(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return IpDetector.v6HexDigits(b, 0, b.length) >= 0;
    }

    /** An {@code inet} value: an address with an optional prefix length that fits it. */
    static boolean isInet(String s) {
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        boolean v4 = isV4(address);
        if (!v4 && !isV6(address)) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String prefix = s.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(prefix) <= (v4 ? 32 : 128);
    }
}
