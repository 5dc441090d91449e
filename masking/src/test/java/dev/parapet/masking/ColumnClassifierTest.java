package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.masking.ColumnType.Family;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ColumnClassifierTest {

    private final ColumnClassifier classifier = new ColumnClassifier();

    private Optional<DataClass> text(String column) {
        return classifier.classify("public", "orders", column, ColumnType.text());
    }

    @ParameterizedTest
    @CsvSource({
        "email, EMAIL", "e_mail, EMAIL", "eMail, EMAIL", "email_address, EMAIL", "EmailAddress, EMAIL",
        "billing_email, EMAIL", "emails, EMAIL",
        "phone, PHONE", "phone_number, PHONE", "mobile, PHONE", "msisdn, PHONE", "home_phone, PHONE",
        "mobile_phone_2, PHONE",
        "ssn, NATIONAL_ID", "national_id, NATIONAL_ID", "tax_id, NATIONAL_ID", "passport_number, NATIONAL_ID",
        "card_number, CARD_NUMBER", "pan, CARD_NUMBER", "cc_number, CARD_NUMBER", "credit_card, CARD_NUMBER",
        "creditCardNumber, CARD_NUMBER",
        "iban, IBAN",
        "password, SECRET", "passwd, SECRET", "password_hash, SECRET", "secret, SECRET", "api_key, SECRET",
        "apiKey, SECRET", "refresh_token, SECRET", "password_reset_token, SECRET", "private_key, SECRET",
        "street, ADDRESS", "address, ADDRESS", "billing_address, ADDRESS", "address_line1, ADDRESS",
        "dob, BIRTH_DATE", "birth_date, BIRTH_DATE", "date_of_birth, BIRTH_DATE", "dateOfBirth, BIRTH_DATE",
        "birthday, BIRTH_DATE",
        "first_name, PERSON_NAME", "lastName, PERSON_NAME", "full_name, PERSON_NAME", "surname, PERSON_NAME",
        "cardholder_name, PERSON_NAME",
        "ip, IP_ADDRESS", "ip_address, IP_ADDRESS", "client_addr, IP_ADDRESS", "last_login_ip, IP_ADDRESS",
        "remote_addr, IP_ADDRESS"
    })
    void classifiesCommonColumnNames(String column, DataClass expected) {
        assertThat(text(column)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "email_verified", "email_count", "phone_type", "password_changed_at", "token_type", "address_id",
        "mac_address", "table_name", "column_name", "file_name", "username", "user_name", "product_name",
        "mobile_app_version", "card_type", "primary_key", "key", "zip", "hotel", "japan", "span", "mail_server",
        "status", "created_at"
    })
    void leavesOtherColumnNamesAlone(String column) {
        assertThat(text(column)).isEmpty();
    }

    @Test
    void typeRulesOutEmailInBooleanAndCountColumns() {
        assertThat(classifier.classify(null, "users", "email", ColumnType.of(Family.BOOLEAN))).isEmpty();
        assertThat(classifier.classify(null, "users", "email", ColumnType.integer(4))).isEmpty();
        assertThat(classifier.classify(null, "users", "email", ColumnType.varchar(255))).contains(DataClass.EMAIL);
    }

    @Test
    void birthDateIsADateOrText() {
        assertThat(classifier.classify(null, "users", "dob", ColumnType.of(Family.DATE))).contains(DataClass.BIRTH_DATE);
        assertThat(classifier.classify(null, "users", "dob", ColumnType.integer(4))).isEmpty();
    }

    @Test
    void ipAddressMayBeInet() {
        assertThat(classifier.classify("pg_catalog", "pg_stat_activity", "client_addr", ColumnType.of(Family.INET)))
                .contains(DataClass.IP_ADDRESS);
        assertThat(classifier.classify(null, "t", "ip", ColumnType.of(Family.BOOLEAN))).isEmpty();
    }

    @Test
    void phoneStoredAsBigintStillCounts() {
        assertThat(classifier.classify(null, "t", "phone", ColumnType.integer(8))).contains(DataClass.PHONE);
        assertThat(classifier.classify(null, "t", "phone", ColumnType.integer(2))).isEmpty();
    }

    @Test
    void plainNameIsAPersonOnlyInATableOfPeople() {
        assertThat(classifier.classify("public", "customers", "name", ColumnType.text())).contains(DataClass.PERSON_NAME);
        assertThat(classifier.classify("crm", "UserAccounts", "name", ColumnType.text())).contains(DataClass.PERSON_NAME);
        assertThat(classifier.classify("public", "products", "name", ColumnType.text())).isEmpty();
        assertThat(classifier.classify(null, null, "name", ColumnType.text())).isEmpty();
    }

    @Test
    void catalogPasswordColumnsAreSecrets() {
        assertThat(classifier.classify("pg_catalog", "pg_authid", "rolpassword", ColumnType.text())).contains(DataClass.SECRET);
        assertThat(classifier.classify("mysql", "user", "authentication_string", ColumnType.text())).contains(DataClass.SECRET);
        assertThat(classifier.classify("public", "pg_authid", "rolpassword", ColumnType.text())).isEmpty();
    }

    @Test
    void splitsIdentifiersIntoWords() {
        assertThat(ColumnClassifier.words("billingEmailAddress")).containsExactly("billing", "email", "address");
        assertThat(ColumnClassifier.words("HTTPClientIP")).containsExactly("http", "client", "ip");
        assertThat(ColumnClassifier.words("address_line2")).containsExactly("address", "line", "2");
    }
}
