package dev.parapet.masking;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds sensitive values inside a text cell (free text, JSON, CSV-like lists) given as UTF-8
 * bytes: e-mail addresses, phone numbers, card numbers, US SSNs, IBANs, IPv4 and IPv6 addresses,
 * and secrets (JWTs, provider API keys, PEM private keys, high-entropy tokens).
 *
 * <p>A scan first runs {@link PreFilter}, one pass over the bytes, and then only the detectors
 * whose anchor it saw (an '@', seven digits, {@code eyJ}, a long key-like run, ...). A cell with
 * nothing suspicious costs that pass alone and allocates nothing.
 *
 * <p>Thread-safe; one instance serves the whole gateway.
 */
public final class ContentScanner {

    /** Phone numbers without a country code are read as US numbers unless told otherwise. */
    public static final String DEFAULT_PHONE_REGION = "US";

    private static final Set<DataClass> DETECTABLE = EnumSet.of(
            DataClass.EMAIL, DataClass.PHONE, DataClass.CARD_NUMBER, DataClass.NATIONAL_ID,
            DataClass.IBAN, DataClass.IP_ADDRESS, DataClass.SECRET);

    private final PhoneDetector phones;

    public ContentScanner() {
        this(DEFAULT_PHONE_REGION);
    }

    /**
     * @param phoneRegion ISO 3166 region code ("US", "GB", "DE", ...) for numbers written without
     *     a country code
     */
    public ContentScanner(String phoneRegion) {
        this.phones = new PhoneDetector(phoneRegion);
    }

    /** The classes content detection can find; the others (names, addresses, dates) it cannot. */
    public static Set<DataClass> detectableClasses() {
        return EnumSet.copyOf(DETECTABLE);
    }

    /** Every finding in {@code utf8[offset, offset + length)}, in order, none overlapping. */
    public List<Finding> scan(byte[] utf8, int offset, int length) {
        return scan(utf8, offset, length, DETECTABLE);
    }

    /** Findings of the classes in {@code wanted} only; the other detectors do not run. */
    public List<Finding> scan(byte[] utf8, int offset, int length, Set<DataClass> wanted) {
        Findings found = find(utf8, offset, offset + length, wanted);
        return found == null ? List.of() : found.resolved();
    }

    /**
     * Findings in the buffer's remaining bytes, with positions relative to its position. A heap
     * buffer is scanned in place; a direct one is copied first.
     */
    public List<Finding> scan(ByteBuffer utf8) {
        if (utf8.hasArray()) {
            int base = utf8.arrayOffset() + utf8.position();
            return scan(utf8.array(), base, utf8.remaining()).stream()
                    .map(f -> new Finding(f.start() - base, f.end() - base, f.dataClass()))
                    .toList();
        }
        byte[] copy = new byte[utf8.remaining()];
        utf8.duplicate().get(copy);
        return scan(copy, 0, copy.length);
    }

    static int classMask(Set<DataClass> classes) {
        int mask = 0;
        for (DataClass c : classes) {
            mask |= 1 << c.ordinal();
        }
        return mask;
    }

    private static boolean wants(int classMask, DataClass c) {
        return (classMask & (1 << c.ordinal())) != 0;
    }

    /** The unresolved findings, or null when there is none (the common case, kept allocation-free). */
    Findings find(byte[] b, int from, int to, Set<DataClass> wanted) {
        int candidates = PreFilter.candidates(b, from, to);
        if (candidates == 0) {
            return null;
        }
        int classMask = classMask(wanted);
        Findings out = new Findings();
        if ((candidates & PreFilter.PEM) != 0 && wants(classMask, DataClass.SECRET)) {
            PemDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.JWT) != 0 && wants(classMask, DataClass.SECRET)) {
            JwtDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.LONG_TOKEN) != 0 && wants(classMask, DataClass.SECRET)) {
            SecretTokenDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.EMAIL) != 0 && wants(classMask, DataClass.EMAIL)) {
            EmailDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.CARD) != 0 && wants(classMask, DataClass.CARD_NUMBER)) {
            CardDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.IBAN) != 0 && wants(classMask, DataClass.IBAN)) {
            IbanDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.SSN) != 0 && wants(classMask, DataClass.NATIONAL_ID)) {
            SsnDetector.find(b, from, to, out);
        }
        if ((candidates & PreFilter.IPV4) != 0 && wants(classMask, DataClass.IP_ADDRESS)) {
            IpDetector.findV4(b, from, to, out);
        }
        if ((candidates & PreFilter.IPV6) != 0 && wants(classMask, DataClass.IP_ADDRESS)) {
            IpDetector.findV6(b, from, to, out);
        }
        // Last: the phone matcher skips what the detectors above have already found.
        if ((candidates & PreFilter.PHONE) != 0 && wants(classMask, DataClass.PHONE)) {
            phones.find(b, from, to, out);
        }
        return out.isEmpty() ? null : out;
    }
}
