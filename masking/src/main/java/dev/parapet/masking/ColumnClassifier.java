package dev.parapet.masking;

import dev.parapet.masking.ColumnType.Family;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Guesses a column's data class from its name, with no configuration. The name is cut into words
 * ({@code billingEmailAddress}, {@code billing_email_address} and {@code BILLING-EMAIL-ADDRESS}
 * all give billing, email, address); a class matches when its key words appear and every word
 * after them only qualifies the value ({@code email_address}, {@code phone_number_2},
 * {@code password_hash}). A trailing word that makes the column about the value rather than the
 * value itself ({@code email_verified}, {@code phone_type}, {@code password_changed_at},
 * {@code address_id}) means no match. The declared type is checked last: a boolean or a count
 * is never an e-mail address, a birth date is a date or text.
 *
 * <p>Deliberately not classified: {@code username}/{@code user_name} (a handle people need to
 * see; an address used as a login is still caught by content scanning), {@code name} alone
 * except in tables that hold people ({@code users.name}, {@code customers.name}; not
 * {@code products.name}), {@code table_name}, {@code column_name}, {@code file_name},
 * {@code host_name} and other names of things, and a bare {@code key} or {@code card}.
 *
 * <p>Thread-safe and stateless.
 */
public final class ColumnClassifier {

    /** A class's key word sequence and the words that may stand before it to veto the match. */
    private record Pattern(DataClass dataClass, List<String> words, Set<String> notAfter) {}

    private static final Set<String> NONE = Set.of();
    private static final Set<String> NOT_A_POSTAL_ADDRESS = Set.of(
            "mac", "hardware", "wallet", "web", "url", "server", "host", "bind", "listen", "local", "memory",
            "mem", "base", "contract", "ether", "eth", "btc", "bitcoin", "multicast", "broadcast", "network",
            "net", "gateway", "router", "return", "reply", "sender", "ip", "client", "remote", "peer", "email");

    private static final List<Pattern> PATTERNS = new ArrayList<>();

    private static void add(DataClass dataClass, String... sequences) {
        for (String sequence : sequences) {
            PATTERNS.add(new Pattern(dataClass, List.of(sequence.split(" ")), NONE));
        }
    }

    static {
        add(DataClass.SECRET, "password", "secret", "token", "api key", "access key", "secret key", "private key",
                "signing key", "encryption key", "license key", "ssh key", "credential", "credentials",
                "authentication string");
        add(DataClass.CARD_NUMBER, "card number", "card no", "card num", "card nr", "cc number", "cc num", "cc no",
                "ccnum", "pan", "credit card", "debit card", "payment card");
        add(DataClass.IBAN, "iban");
        add(DataClass.NATIONAL_ID, "ssn", "social security", "national id", "national number", "national identity",
                "nino", "tax id", "tin", "passport", "driver license", "drivers license", "driving licence",
                "driver licence", "drivers licence", "driving license");
        add(DataClass.EMAIL, "email", "mail");
        add(DataClass.PHONE, "phone", "mobile", "msisdn", "fax", "tel");
        add(DataClass.BIRTH_DATE, "dob", "birth date", "birth day", "birthday", "date of birth", "birthdate", "born on");
        add(DataClass.IP_ADDRESS, "ip", "ipv4", "ipv6", "client addr", "client address", "remote addr",
                "remote address", "peer addr", "source addr", "src addr", "inet");
        add(DataClass.PERSON_NAME, "first name", "last name", "middle name", "given name", "family name",
                "full name", "maiden name", "legal name", "display name", "surname", "forename", "fname", "lname",
                "contact name", "customer name", "patient name", "employee name", "person name", "holder name",
                "cardholder name", "card holder name", "account holder", "cardholder");
        PATTERNS.add(new Pattern(DataClass.ADDRESS, List.of("address"), NOT_A_POSTAL_ADDRESS));
        PATTERNS.add(new Pattern(DataClass.ADDRESS, List.of("addr"), NOT_A_POSTAL_ADDRESS));
        add(DataClass.ADDRESS, "street");
    }

    /** Words glued together that mean the same as the separate words. */
    private static final Map<String, String> COMPOUNDS = Map.ofEntries(
            Map.entry("emailaddress", "email address"), Map.entry("emailaddr", "email address"),
            Map.entry("phonenumber", "phone number"), Map.entry("phoneno", "phone number"),
            Map.entry("telephone", "phone"), Map.entry("cellphone", "phone"), Map.entry("mobilephone", "mobile phone"),
            Map.entry("firstname", "first name"), Map.entry("lastname", "last name"), Map.entry("fullname", "full name"),
            Map.entry("middlename", "middle name"), Map.entry("givenname", "given name"),
            Map.entry("familyname", "family name"), Map.entry("displayname", "display name"),
            Map.entry("dateofbirth", "date of birth"), Map.entry("birthdate", "birth date"),
            Map.entry("apikey", "api key"), Map.entry("accesskey", "access key"), Map.entry("secretkey", "secret key"),
            Map.entry("privatekey", "private key"), Map.entry("cardnumber", "card number"),
            Map.entry("creditcard", "credit card"), Map.entry("ccnumber", "cc number"),
            Map.entry("ipaddress", "ip address"), Map.entry("ipaddr", "ip address"),
            Map.entry("passwd", "password"), Map.entry("pwd", "password"), Map.entry("passphrase", "password"),
            Map.entry("nationalid", "national id"), Map.entry("taxid", "tax id"),
            Map.entry("streetaddress", "street address"), Map.entry("homeaddress", "home address"),
            Map.entry("accesstoken", "access token"), Map.entry("refreshtoken", "refresh token"),
            Map.entry("authtoken", "auth token"), Map.entry("clientsecret", "client secret"),
            Map.entry("emails", "email"), Map.entry("phones", "phone"), Map.entry("addresses", "address"),
            Map.entry("passwords", "password"), Map.entry("tokens", "token"), Map.entry("secrets", "secret"));

    /** Words after the key words that still describe the value itself. */
    private static final Set<String> QUALIFIERS = Set.of(
            "number", "no", "nr", "num", "value", "val", "text", "str", "string", "raw", "plain", "plaintext",
            "primary", "secondary", "main", "home", "work", "personal", "business", "private", "alt", "alternate",
            "other", "full", "formatted", "normalized", "normalised", "canonical", "original", "orig", "e164",
            "international", "local", "national", "address", "addr", "line", "hash", "hashed", "digest", "enc",
            "encrypted", "cipher", "ciphertext", "salt", "bcrypt", "sha", "sha1", "sha256", "sha512", "md5", "b64",
            "base64", "hex", "bytes", "blob", "data", "v4", "v6", "json", "contact", "billing", "shipping", "mobile",
            "phone", "cell", "key", "token", "secret", "lower", "upper", "ci", "iso");

    /** Tables whose plain {@code name} column is a person's name. */
    private static final Set<String> PEOPLE_TABLES = Set.of(
            "user", "users", "customer", "customers", "person", "persons", "people", "employee", "employees",
            "contact", "contacts", "member", "members", "patient", "patients", "student", "students", "author",
            "authors", "client", "clients", "staff", "account", "accounts", "profile", "profiles", "guest", "guests",
            "subscriber", "subscribers", "applicant", "applicants", "candidate", "candidates", "driver", "drivers",
            "passenger", "passengers", "visitor", "visitors", "teacher", "teachers", "doctor", "doctors");

    /** System catalogue columns that hold credentials under names the heuristics would not catch. */
    private static final Set<String> CATALOG_SECRETS = Set.of(
            "pg_catalog.pg_authid.rolpassword", "pg_catalog.pg_shadow.passwd", "mysql.user.authentication_string",
            "mysql.user.password");

    /**
     * The data class of column {@code column} of {@code schema.table} (schema and table may be
     * null when unknown), or empty when the name says nothing or the type rules the class out.
     */
    public Optional<DataClass> classify(String schema, String table, String column, ColumnType type) {
        if (column == null || column.isEmpty()) {
            return Optional.empty();
        }
        String qualified = (schema == null ? "" : schema.toLowerCase(Locale.ROOT)) + "."
                + (table == null ? "" : table.toLowerCase(Locale.ROOT)) + "." + column.toLowerCase(Locale.ROOT);
        if (CATALOG_SECRETS.contains(qualified)) {
            return fits(DataClass.SECRET, type);
        }
        List<String> words = words(column);
        if (words.equals(List.of("name")) && table != null && PEOPLE_TABLES.contains(tableWord(table))) {
            return fits(DataClass.PERSON_NAME, type);
        }
        DataClass best = null;
        int bestStart = Integer.MAX_VALUE;
        for (Pattern p : PATTERNS) {
            int at = matchAt(words, p);
            if (at >= 0 && at < bestStart) {
                best = p.dataClass();
                bestStart = at;
            }
        }
        return best == null ? Optional.empty() : fits(best, type);
    }

    /** Where {@code p} matches with only qualifiers after it (the earliest such place), or -1. */
    private static int matchAt(List<String> words, Pattern p) {
        int n = p.words().size();
        for (int i = 0; i + n <= words.size(); i++) {
            if (!words.subList(i, i + n).equals(p.words())) {
                continue;
            }
            if (i > 0 && p.notAfter().contains(words.get(i - 1))) {
                continue;
            }
            boolean qualified = true;
            for (int k = i + n; k < words.size(); k++) {
                String w = words.get(k);
                if (!QUALIFIERS.contains(w) && !w.chars().allMatch(Character::isDigit)) {
                    qualified = false;
                    break;
                }
            }
            if (qualified) {
                return i;
            }
        }
        return -1;
    }

    private static final Set<Family> TEXTUAL = EnumSet.of(Family.TEXT, Family.CHAR, Family.OTHER);

    /** The declared types a class can plausibly be stored as. */
    private static Optional<DataClass> fits(DataClass c, ColumnType type) {
        Family f = type.family();
        boolean ok = TEXTUAL.contains(f) || switch (c) {
            case PHONE, CARD_NUMBER, NATIONAL_ID -> f == Family.NUMERIC || (f == Family.INTEGER && type.integerBytes() == 8);
            case SECRET -> f == Family.BYTEA || f == Family.UUID || f == Family.JSON;
            case ADDRESS -> f == Family.JSON;
            case BIRTH_DATE -> f == Family.DATE || f == Family.TIMESTAMP || f == Family.TIMESTAMP_TZ;
            case IP_ADDRESS -> f == Family.INET || f == Family.BYTEA || (f == Family.INTEGER && type.integerBytes() >= 4);
            case EMAIL, IBAN, PERSON_NAME -> false;
        };
        return ok ? Optional.of(c) : Optional.empty();
    }

    /** The words of an identifier, lower case, compounds split. */
    static List<String> words(String identifier) {
        List<String> raw = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int n = identifier.length();
        for (int i = 0; i < n; i++) {
            char c = identifier.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                flush(word, raw);
                continue;
            }
            if (word.length() > 0) {
                char prev = identifier.charAt(i - 1);
                boolean camel = Character.isUpperCase(c) && Character.isLowerCase(prev);
                boolean acronymEnd = Character.isUpperCase(c) && Character.isUpperCase(prev)
                        && i + 1 < n && Character.isLowerCase(identifier.charAt(i + 1));
                boolean digitEdge = Character.isDigit(c) != Character.isDigit(prev);
                if (camel || acronymEnd || digitEdge) {
                    flush(word, raw);
                }
            }
            word.append(Character.toLowerCase(c));
        }
        flush(word, raw);
        List<String> words = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String w = raw.get(i);
            if (w.equals("e") && i + 1 < raw.size() && raw.get(i + 1).equals("mail")) {
                words.add("email");
                i++;
                continue;
            }
            String split = COMPOUNDS.get(w);
            if (split != null) {
                words.addAll(List.of(split.split(" ")));
            } else {
                words.add(w);
            }
        }
        return words;
    }

    private static void flush(StringBuilder word, List<String> into) {
        if (word.length() > 0) {
            into.add(word.toString());
            word.setLength(0);
        }
    }

    private static String tableWord(String table) {
        List<String> w = words(table);
        return w.isEmpty() ? "" : w.get(w.size() - 1);
    }
}
