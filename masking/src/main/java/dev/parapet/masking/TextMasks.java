package dev.parapet.masking;

/**
 * Masks for values shown as text: a whole text cell, a string inside JSON, or one finding inside
 * free text. The typed forms (dates, integers, addresses in an {@code inet} column) are in
 * {@link TypedMasks}.
 */
final class TextMasks {

    static final String REDACTED = "****";

    private TextMasks() {}

    /** {@code value} masked by {@code strategy} as a value of {@code dataClass}; not for Nullify. */
    static String mask(String value, DataClass dataClass, MaskStrategy strategy) {
        return switch (strategy) {
            case MaskStrategy.Redact r -> REDACTED;
            case MaskStrategy.Partial p -> partial(value, dataClass);
            case MaskStrategy.KeyedHash k -> Pseudonyms.text(k.key(), value, dataClass);
            case MaskStrategy.Fixed f -> f.value();
            case MaskStrategy.Nullify n -> throw new IllegalArgumentException("Nullify has no text form");
        };
    }

    static String partial(String value, DataClass dataClass) {
        return switch (dataClass) {
            case EMAIL -> emailDomain(value);
            case PHONE, CARD_NUMBER, NATIONAL_ID, IBAN -> lastFour(value);
            case PERSON_NAME -> initials(value);
            case BIRTH_DATE -> yearOnly(value);
            case IP_ADDRESS -> {
                String network = network(value);
                yield network == null ? REDACTED : network;
            }
            case SECRET, ADDRESS -> REDACTED;
        };
    }

    /** {@code ****@example.com}. */
    static String emailDomain(String value) {
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1) {
            return REDACTED;
        }
        return REDACTED + value.substring(at);
    }

    /**
     * Letters and digits masked except the last four, separators kept ({@code ****-****-****-1111});
     * a value of four characters or fewer is masked whole, or the mask would be the value.
     */
    static String lastFour(String value) {
        int alnum = 0;
        for (int i = 0; i < value.length(); i++) {
            if (Character.isLetterOrDigit(value.charAt(i))) {
                alnum++;
            }
        }
        if (alnum <= 4) {
            return REDACTED;
        }
        StringBuilder out = new StringBuilder(value.length());
        int seen = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                seen++;
                out.append(seen > alnum - 4 ? c : '*');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The first letter of each word and three stars: {@code J*** S***}. */
    static String initials(String value) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = value.length();
        while (i < n) {
            int cp = value.codePointAt(i);
            if (Character.isWhitespace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.appendCodePoint(cp).append("***");
            i += Character.charCount(cp);
            while (i < n && !Character.isWhitespace(value.codePointAt(i))) {
                i += Character.charCount(value.codePointAt(i));
            }
        }
        return out.isEmpty() ? REDACTED : out.toString();
    }

    /** The four-digit year kept, every other digit masked: {@code 1984-**-**}, {@code **\/**\/1984}. */
    static String yearOnly(String value) {
        int year = yearStart(value);
        if (year < 0) {
            return REDACTED;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(Character.isDigit(c) && (i < year || i >= year + 4) ? '*' : c);
        }
        return out.toString();
    }

    /** Where a run of exactly four digits starts (a year), or -1. */
    static int yearStart(String value) {
        int run = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i < value.length() && Character.isDigit(value.charAt(i))) {
                run++;
            } else {
                if (run == 4) {
                    return i - 4;
                }
                run = 0;
            }
        }
        return -1;
    }

    /**
     * The network an address belongs to, itself a valid address: the /16 of an IPv4 address
     * ({@code 192.168.0.0}), the /32 of an IPv6 one ({@code 2001:db8::}); null when the value is
     * not an address. A prefix length ({@code /24}) is dropped.
     */
    static String network(String value) {
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash >= 0) {
            v = v.substring(0, slash);
        }
        byte[] b = v.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (v.indexOf(':') < 0) {
            if (IpDetector.quadEnd(b, 0, b.length) != b.length) {
                return null;
            }
            String[] parts = v.split("\\.");
            return parts[0] + "." + parts[1] + ".0.0";
        }
        if (!IpLiterals.isV6(v) || v.startsWith(":")) {
            return null;
        }
        String[] groups = v.split(":", -1);
        if (groups.length < 3 || groups[1].isEmpty()) {
            return groups[0] + "::";
        }
        return groups[0] + ":" + groups[1] + "::";
    }
}
