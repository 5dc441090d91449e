package dev.parapet.masking;

/**
 * A kind of sensitive value. Column classification and content detection both answer with one;
 * the strategy that masks it is chosen per class, and each class has a default that keeps a
 * masked value useful without giving the value away.
 */
public enum DataClass {
    /** An e-mail address. Default: keep the domain ({@code ****@example.com}). */
    EMAIL(new MaskStrategy.Partial()),
    /** A telephone number. Default: keep the last four digits. */
    PHONE(new MaskStrategy.Partial()),
    /** A national identifier: US SSN, tax id, passport or driving licence number. Default: redact. */
    NATIONAL_ID(new MaskStrategy.Redact()),
    /** A payment card number (PAN). Default: keep the last four digits, as receipts do. */
    CARD_NUMBER(new MaskStrategy.Partial()),
    /** An international bank account number. Default: keep the last four characters. */
    IBAN(new MaskStrategy.Partial()),
    /** A password, token, API key, cloud access key, private key or JWT. Default: redact. */
    SECRET(new MaskStrategy.Redact()),
    /** A postal address. Default: redact. */
    ADDRESS(new MaskStrategy.Redact()),
    /** A date of birth. Default: keep the year only. */
    BIRTH_DATE(new MaskStrategy.Partial()),
    /** A person's name. Default: keep the first letter of each word. */
    PERSON_NAME(new MaskStrategy.Partial()),
    /** An IPv4 or IPv6 address. Default: keep the network part (the first two octets of IPv4). */
    IP_ADDRESS(new MaskStrategy.Partial());

    private final MaskStrategy defaultStrategy;

    DataClass(MaskStrategy defaultStrategy) {
        this.defaultStrategy = defaultStrategy;
    }

    /** The strategy used when the configuration names none for this class. */
    public MaskStrategy defaultStrategy() {
        return defaultStrategy;
    }
}
