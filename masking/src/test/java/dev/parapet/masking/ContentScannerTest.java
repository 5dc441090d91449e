package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentScannerTest {

    private static final ContentScanner SCANNER = new ContentScanner();

    /** Each finding as CLASS:text, in order. */
    static List<String> found(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return SCANNER.scan(b, 0, b.length).stream()
                .map(f -> f.dataClass() + ":" + new String(b, f.start(), f.end() - f.start(), StandardCharsets.UTF_8))
                .toList();
    }

    // --- e-mail

    @Test
    void findsEmailInFreeText() {
        assertThat(found("Please write to jane.doe+news@example.co.uk, thanks."))
                .containsExactly("EMAIL:jane.doe+news@example.co.uk");
    }

    @Test
    void findsEmailInsideJson() {
        assertThat(found("{\"email\":\"a@b.com\",\"n\":1}")).containsExactly("EMAIL:a@b.com");
    }

    @Test
    void findsEveryEmailOfACsvLine() {
        assertThat(found("1,ann@corp.io;bob@corp.io,\"x\""))
                .containsExactly("EMAIL:ann@corp.io", "EMAIL:bob@corp.io");
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@localhost", "@mention only", "a@b.c", "logo@2x.png", "npm i pkg@1.2.3", "a@.com", "me@-x.com"})
    void ignoresEmailLookalikes(String text) {
        assertThat(found(text)).isEmpty();
    }

    // --- cards

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005", "5555555555554444"})
    void findsLuhnValidCardNumbers(String card) {
        assertThat(found("card: " + card + " exp 12/29")).containsExactly("CARD_NUMBER:" + card);
    }

    @Test
    void findsCardNextToAnotherNumberInASpacedRun() {
        assertThat(found("qty 12 4111 1111 1111 1111")).containsExactly("CARD_NUMBER:4111 1111 1111 1111");
    }

    @Test
    void findsCardWrittenAsJsonNumber() {
        assertThat(found("{\"pan\":4111111111111111}")).containsExactly("CARD_NUMBER:4111111111111111");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "4111111111111112", // Luhn fails
        "1234567812345670", // Luhn passes, but no card network starts with 1
        "0000000000000000", // one digit repeated
        "INV4111111111111111", // glued to letters: an id
        "411111111111", // 12 digits: too short
        "41111111111111111111" // 20 digits: too long
    })
    void ignoresCardLookalikes(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("CARD_NUMBER"));
    }

    @Test
    void ignoresSixteenDigitOrderIdThatFailsLuhn() {
        assertThat(found("order 2024061512345678 shipped")).noneMatch(s -> s.startsWith("CARD_NUMBER"));
    }

    // --- SSN

    @Test
    void findsDashedSsn() {
        assertThat(found("SSN: 536-90-4399.")).containsExactly("NATIONAL_ID:536-90-4399");
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "912-12-3456", "536-00-4399", "536-90-0000",
        "078-05-1120", "536904399", "A536-90-4399", "536-90-4399-12"})
    void ignoresSsnsThatCannotBeIssued(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("NATIONAL_ID"));
    }

    // --- IBAN

    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "NO9386011117947"})
    void findsIbanWithValidChecksum(String iban) {
        assertThat(found("pay to " + iban + " today")).containsExactly("IBAN:" + iban);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013001", "DE8937040044053201300", "XX89370400440532013000", "de89370400440532013000"})
    void ignoresIbanWithBadChecksumLengthOrCountry(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("IBAN"));
    }

    // --- phones

    @ParameterizedTest
    @ValueSource(strings = {"+1 650-253-0000", "(650) 253-0000", "+44 20 7946 0958", "+49 30 901820", "+33 1 42 68 53 00"})
    void findsFormattedPhoneNumbers(String phone) {
        assertThat(found("call " + phone + " now")).containsExactly("PHONE:" + phone);
    }

    @Test
    void readsNumbersWithoutCountryCodeInTheConfiguredRegion() {
        ContentScanner british = new ContentScanner("GB");
        byte[] b = "ring 020 7946 0958 please".getBytes(StandardCharsets.UTF_8);
        assertThat(british.scan(b, 0, b.length)).extracting(Finding::dataClass).containsExactly(DataClass.PHONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"order 6502530000", "on 2024-06-15 at 10:30:00", "build 1.2.3", "id 123456", "total 12,345.67",
        "INV-2024-000123", "ref_650-253-0000"})
    void ignoresDigitRunsThatAreNotPhoneNumbers(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("PHONE"));
    }

    @Test
    void findsPhoneNumbersInsideRunsLongerThanOneNumberAndQuicklyPassesCodesOfLongGroups() {
        // one run of digits and punctuation holding three numbers: the matcher reads it part by part
        String text = "call +1 650-253-0000 / 650-253-0001 / (650) 253-0002 today";
        assertThat(found(text)).containsExactly("PHONE:+1 650-253-0000", "PHONE: 650-253-0001", "PHONE: (650) 253-0002");
        // sysbench's filler: groups of eleven digits, which took the matcher 0.2 ms per cell
        String code = "83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-41576422241-93426793964";
        byte[] b = code.getBytes(StandardCharsets.US_ASCII);
        assertThat(PhoneDetector.worthMatching(b, 0, b.length)).isFalse();
        assertThat(found(code)).noneMatch(s -> s.startsWith("PHONE"));
        assertThat(found(code.replace('-', ' '))).noneMatch(s -> s.startsWith("PHONE"));
    }

    @Test
    void skipsThePhoneMatcherForRunsItWouldNotReport() {
        for (String run : new String[] {"6502530000", "2024-06-15", "2024-06-15 10", "15/06/2024", "12345.67"}) {
            byte[] b = run.getBytes(StandardCharsets.US_ASCII);
            assertThat(PhoneDetector.worthMatching(b, 0, b.length)).as(run).isFalse();
        }
        for (String run : new String[] {"650-253-0000", "+4930901820", "(650) 253 0000", "650.253.0000"}) {
            byte[] b = run.getBytes(StandardCharsets.US_ASCII);
            assertThat(PhoneDetector.worthMatching(b, 0, b.length)).as(run).isTrue();
        }
    }

    @Test
    void mapsPhoneOffsetsPastMultibyteText() {
        assertThat(found("Téléphone : +33 1 42 68 53 00 — merci")).containsExactly("PHONE:+33 1 42 68 53 00");
    }

    // --- IP addresses

    @Test
    void findsIpv4WithPortOrPrefixLeftOut() {
        assertThat(found("from 203.0.113.45:5432 and 10.0.0.0/8"))
                .containsExactly("IP_ADDRESS:203.0.113.45", "IP_ADDRESS:10.0.0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:db8:85a3::8a2e:370:7334", "fe80::1ff:fe23:4567:890a", "2001:0db8:0000:0000:0000:ff00:0042:8329", "::ffff:192.0.2.128"})
    void findsIpv6(String address) {
        assertThat(found("peer " + address + " up")).containsExactly("IP_ADDRESS:" + address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.2.3.4", "1.2.3.4.5", "256.1.1.1", "01.02.03.04", "at 12:30:45", "mac 00:1A:2B:3C:4D:5E",
        "std::vector", "a::b", "::1", "2024-06-15",
        "127.0.0.1", "0.0.0.0", "255.255.255.255", "Chrome/126.0.0.0 Safari/537.36"})
    void ignoresIpLookalikes(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("IP_ADDRESS"));
    }

    // --- secrets

    @Test
    void findsJwt() {
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assertThat(found("Authorization: Bearer " + jwt)).containsExactly("SECRET:" + jwt);
    }

    @Test
    void ignoresEyjPrefixWhoseHeaderHasNoAlg() {
        // {"typ":"x"} encoded, no "alg": not a JWT header.
        assertThat(found("eyJ0eXAiOiJ4In0.eyJ4IjoxfQ.abc")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AKIAIOSFODNN7EXAMPLE", "AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "ghp_aBcD1234efGH5678ijKL9012mnOP3456qrST", "xoxb-123456789012-abcdefABCDEF", "glpat-abcdefghij0123456789"})
    void findsProviderKeysByPrefix(String key) {
        assertThat(found("key=" + key + ";")).containsExactly("SECRET:" + key);
    }

    @Test
    void findsPemPrivateKeyBlockButNotCertificate() {
        String key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        String cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assertThat(found(cert + "\n" + key + "\n")).containsExactly("SECRET:" + key);
    }

    @Test
    void masksATruncatedPemBlockToTheEnd() {
        assertThat(found("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN")).hasSize(1);
    }

    @Test
    void findsHighEntropySecret() {
        assertThat(found("aws_secret_access_key = wJalrXUtnFI/K7MDENG/bPxRfiCY8x2pQz1LmN9k"))
                .containsExactly("SECRET:wJalrXUtnFI/K7MDENG/bPxRfiCY8x2pQz1LmN9k");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "550e8400-e29b-41d4-a716-446655440000", // UUID
        "da39a3ee5e6b4b0d3255bfef95601890afd80709", // SHA-1
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // SHA-256
        "getUserAccountSettings2FA", // identifier
        "ProductCategoryName_v2_2024",
        "internationalization",
        "ItemsPerPage100SortByCreatedAt"
    })
    void ignoresIdentifiersAndDigests(String text) {
        assertThat(found("value " + text + " end")).isEmpty();
    }

    // --- the scan as a whole

    @Test
    void findsSeveralClassesInOneCell() {
        assertThat(found("{\"note\":\"mail a@b.io or call +1 650-253-0000, card 4111111111111111\"}"))
                .containsExactly("EMAIL:a@b.io", "PHONE:+1 650-253-0000", "CARD_NUMBER:4111111111111111");
    }

    @Test
    void cardWinsOverPhoneWhereTheyOverlap() {
        assertThat(found("4111 1111 1111 1111")).containsExactly("CARD_NUMBER:4111 1111 1111 1111");
    }

    @Test
    void scansOnlyTheWantedClasses() {
        byte[] b = "a@b.io 4111111111111111".getBytes(StandardCharsets.UTF_8);
        assertThat(SCANNER.scan(b, 0, b.length, Set.of(DataClass.CARD_NUMBER)))
                .extracting(Finding::dataClass).containsExactly(DataClass.CARD_NUMBER);
    }

    @Test
    void reportsPositionsInTheArrayForACellAtAnOffset() {
        byte[] b = "xxxxxa@b.ioyyyy".getBytes(StandardCharsets.UTF_8);
        // The cell is "a@b.io", at offset 5; the bytes around it must not be read.
        assertThat(SCANNER.scan(b, 5, 6)).containsExactly(new Finding(5, 11, DataClass.EMAIL));
    }

    @Test
    void scansAByteBufferRelativeToItsPosition() {
        ByteBuffer buffer = ByteBuffer.wrap("__mail a@b.io".getBytes(StandardCharsets.UTF_8));
        buffer.position(2);
        assertThat(SCANNER.scan(buffer)).containsExactly(new Finding(5, 11, DataClass.EMAIL));
        ByteBuffer direct = ByteBuffer.allocateDirect(6).put("a@b.io".getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(SCANNER.scan(direct)).containsExactly(new Finding(0, 6, DataClass.EMAIL));
    }

    @Test
    void findsNothingInPlainUnicodeText() {
        assertThat(found("Grüße aus Köln — 東京で会いましょう 🙂")).isEmpty();
    }
}
