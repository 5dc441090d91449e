package dev.parapet.masking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The values {@link MaskStrategy.KeyedHash} puts in place of the originals. The HMAC is taken over
 * a canonical form of the value (an e-mail address in lower case, a number's digits without
 * separators), so the same person gets the same pseudonym however the value was written; the
 * pseudonym is then shaped like what it replaces, so it stays valid wherever the original was.
 */
final class Pseudonyms {

    /** Days from 1900-01-01 to 1999-12-31: pseudonymous dates fall in the twentieth century. */
    private static final int CENTURY_DAYS = 36524;
    private static final LocalDate EPOCH = LocalDate.of(1900, 1, 1);
    private static final HexFormat HEX = HexFormat.of();

    private Pseudonyms() {}

    /** A stream of pseudo-random numbers seeded by the keyed digest of {@code value}. */
    static Stream stream(MaskingKey key, String value, DataClass dataClass) {
        return new Stream(key.digest(canonical(value, dataClass).getBytes(StandardCharsets.UTF_8)));
    }

    static String canonical(String value, DataClass dataClass) {
        return switch (dataClass) {
            case EMAIL -> value.strip().toLowerCase(Locale.ROOT);
            case PHONE, CARD_NUMBER, NATIONAL_ID, IBAN -> alphanumerics(value).toUpperCase(Locale.ROOT);
            default -> value.strip();
        };
    }

    /** The text pseudonym of {@code value}, shaped after its class. */
    static String text(MaskingKey key, String value, DataClass dataClass) {
        Stream s = stream(key, value, dataClass);
        return switch (dataClass) {
            case EMAIL -> s.hex(12) + "@masked.invalid";
            case PHONE, CARD_NUMBER, NATIONAL_ID -> s.sameShape(value, 0);
            case IBAN -> s.sameShape(value, 2);
            case IP_ADDRESS -> address(s, value.indexOf(':') >= 0);
            case BIRTH_DATE -> date(s).toString();
            default -> s.hex(16);
        };
    }

    static LocalDate date(Stream s) {
        return EPOCH.plusDays(s.next(CENTURY_DAYS));
    }

    /** A private address: 10.0.0.0/8 for IPv4, the unique-local fd00::/8 for IPv6. */
    static String address(Stream s, boolean v6) {
        if (!v6) {
            return "10." + s.next(256) + "." + s.next(256) + "." + s.next(256);
        }
        StringBuilder out = new StringBuilder("fd").append(String.format("%02x", s.next(256)));
        for (int g = 1; g < 8; g++) {
            out.append(':').append(Integer.toHexString(s.next(65536)));
        }
        return out.toString();
    }

    private static String alphanumerics(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Numbers drawn from a digest; when its bytes run out it is extended by hashing it again. */
    static final class Stream {

        private byte[] block;
        private int pos;

        Stream(byte[] digest) {
            this.block = digest;
        }

        /** A number in {@code [0, bound)}; bound at most 2^31 - 1. */
        int next(int bound) {
            return (int) (nextLong() % bound);
        }

        /** A non-negative long. */
        long nextLong() {
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | (nextByte() & 0xff);
            }
            return v & Long.MAX_VALUE;
        }

        byte nextByte() {
            if (pos == block.length) {
                block = sha256(block);
                pos = 0;
            }
            return block[pos++];
        }

        String hex(int chars) {
            byte[] bytes = new byte[(chars + 1) / 2];
            for (int k = 0; k < bytes.length; k++) {
                bytes[k] = nextByte();
            }
            return HEX.formatHex(bytes).substring(0, chars);
        }

        byte[] bytes(int n) {
            byte[] bytes = new byte[n];
            for (int k = 0; k < n; k++) {
                bytes[k] = nextByte();
            }
            return bytes;
        }

        /**
         * {@code value} with each digit replaced by a drawn digit and each letter by a drawn
         * capital, keeping separators and the first {@code keep} characters (an IBAN's country).
         */
        String sameShape(String value, int keep) {
            StringBuilder out = new StringBuilder(value.length());
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (i < keep) {
                    out.append(c);
                } else if (c >= '0' && c <= '9') {
                    out.append((char) ('0' + next(10)));
                } else if (Character.isLetter(c)) {
                    out.append((char) ('A' + next(26)));
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        private static byte[] sha256(byte[] in) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(in);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no SHA-256", e);
            }
        }
    }
}
