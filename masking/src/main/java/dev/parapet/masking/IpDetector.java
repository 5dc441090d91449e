package dev.parapet.masking;

/**
 * IPv4 and IPv6 addresses.
 *
 * <p>IPv4: four decimal octets of 0-255 without leading zeros. A dotted quad is a valid address
 * whatever it was meant to be, so a bare {@code 1.2.3.4} is masked; but a quad glued to letters
 * ({@code v1.2.3.4}) or followed by a fifth part ({@code 1.2.3.4.5}) is a version string and is
 * left alone. A port or prefix after the address ({@code :5432}, {@code /24}) is not part of it.
 * A product version ({@code Chrome/126.0.0.0}) is not an address either. Loopback, unspecified and
 * broadcast addresses identify nobody and are left alone.
 *
 * <p>IPv6: groups of one to four hex digits, eight of them or fewer with one {@code ::}, possibly
 * ending in an IPv4 quad, with at least four hex digits in all: this keeps out times
 * ({@code 12:30:45}), MAC addresses (six groups), C++ scopes ({@code a::b}) and the loopback
 * {@code ::1}, which identifies nobody.
 */
final class IpDetector {

    private IpDetector() {}

    static void findV4(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            if (!Ascii.isDigit(b[i]) || (i > from && (Ascii.isAlnum(b[i - 1]) || b[i - 1] == '.')) || isProductVersion(b, from, i)) {
                i++;
                continue;
            }
            int end = quadEnd(b, i, to);
            if (end < 0) {
                i++;
                while (i < to && Ascii.isDigit(b[i])) {
                    i++;
                }
                continue;
            }
            boolean moreParts = end + 1 < to && b[end] == '.' && Ascii.isDigit(b[end + 1]);
            if (!moreParts && !(end < to && Ascii.isAlnum(b[end])) && !isAnonymous(b, i, end)) {
                out.add(i, end, DataClass.IP_ADDRESS);
            }
            i = end;
        }
    }

    /** {@code Chrome/126.0.0.0}: a product token's version, as in a User-Agent, not an address. */
    private static boolean isProductVersion(byte[] b, int from, int at) {
        return at - from >= 2 && b[at - 1] == '/' && Ascii.isAlnum(b[at - 2]);
    }

    /** Loopback (127/8), unspecified (0.0.0.0) and broadcast addresses: they identify nobody. */
    private static boolean isAnonymous(byte[] b, int start, int end) {
        return Ascii.startsWith(b, start, end, "127.")
                || (end - start == 7 && Ascii.startsWith(b, start, end, "0.0.0.0"))
                || (end - start == 15 && Ascii.startsWith(b, start, end, "255.255.255.255"));
    }

    /** End of a dotted quad starting at {@code start}, or -1. */
    static int quadEnd(byte[] b, int start, int to) {
        int j = start;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (j >= to || b[j] != '.') {
                    return -1;
                }
                j++;
            }
            int ds = j;
            int value = 0;
            while (j < to && Ascii.isDigit(b[j]) && j - ds < 3) {
                value = value * 10 + (b[j] - '0');
                j++;
            }
            int len = j - ds;
            if (len == 0 || value > 255 || (len > 1 && b[ds] == '0') || (j < to && Ascii.isDigit(b[j]))) {
                return -1;
            }
        }
        return j;
    }

    static void findV6(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            byte c = b[i];
            if (!(Ascii.isHex(c) || c == ':') || (i > from && isV6Char(b[i - 1])) || (i > from && Ascii.isAlnum(b[i - 1]))) {
                i++;
                continue;
            }
            int end = i;
            while (end < to && isV6Char(b[end])) {
                end++;
            }
            int stop = end;
            while (end > i && (b[end - 1] == '.' || (b[end - 1] == ':' && !(end - 2 >= i && b[end - 2] == ':')))) {
                end--;
            }
            boolean gluedAfter = stop < to && Ascii.isAlnum(b[stop]);
            if (!gluedAfter && v6HexDigits(b, i, end) >= 4) {
                out.add(i, end, DataClass.IP_ADDRESS);
            }
            i = stop;
        }
    }

    private static boolean isV6Char(byte c) {
        return Ascii.isHex(c) || c == ':' || c == '.';
    }

    /** How many hex digits the IPv6 address {@code b[from, to)} has, or -1 if it is not one. */
    static int v6HexDigits(byte[] b, int from, int to) {
        int groups = 0;
        int hexDigits = 0;
        int colons = 0;
        boolean compressed = false;
        int i = from;
        if (to - from >= 2 && b[i] == ':' && b[i + 1] == ':') {
            compressed = true;
            i += 2;
            colons += 2;
        } else if (i < to && b[i] == ':') {
            return -1;
        }
        while (i < to) {
            int gs = i;
            while (i < to && Ascii.isHex(b[i]) && i - gs < 5) {
                i++;
            }
            if (i < to && b[i] == '.') {
                // An IPv4 tail: it counts for two groups and must end the address.
                int end = quadEnd(b, gs, to);
                if (end != to || groups > 6) {
                    return -1;
                }
                groups += 2;
                hexDigits += 4;
                break;
            }
            int len = i - gs;
            if (len == 0 || len > 4) {
                return -1;
            }
            groups++;
            hexDigits += len;
            if (i == to) {
                break;
            }
            if (b[i] != ':') {
                return -1;
            }
            i++;
            colons++;
            if (i < to && b[i] == ':') {
                if (compressed) {
                    return -1;
                }
                compressed = true;
                i++;
                colons++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return -1;
            }
        }
        boolean sized = compressed ? groups <= 7 : groups == 8;
        return sized && colons >= 2 ? hexDigits : -1;
    }
}
