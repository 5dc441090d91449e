package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PreFilterTest {

    private static int flags(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return PreFilter.candidates(b, 0, b.length);
    }

    @Test
    void plainTextWakesNoDetector() {
        assertThat(flags("The quick brown fox jumps over the dog.")).isZero();
        assertThat(flags("{\"status\":\"shipped\",\"items\":3}")).isZero();
    }

    @Test
    void eachAnchorWakesItsDetector() {
        assertThat(flags("a@b.c") & PreFilter.EMAIL).isNotZero();
        assertThat(flags("a@b") & PreFilter.EMAIL).isZero();
        assertThat(flags("1234567") & PreFilter.PHONE).isNotZero();
        assertThat(flags("123456") & PreFilter.PHONE).isZero();
        assertThat(flags("4111 1111 1111 1") & PreFilter.CARD).isNotZero();
        assertThat(flags("123-45-6789") & PreFilter.SSN).isNotZero();
        assertThat(flags("DE89") & PreFilter.IBAN).isNotZero();
        assertThat(flags("10.0.0.1") & PreFilter.IPV4).isNotZero();
        assertThat(flags("fe80::1") & PreFilter.IPV6).isNotZero();
        assertThat(flags("\"a\":\"b\"") & PreFilter.IPV6).isZero();
        assertThat(flags("x eyJhbGc") & PreFilter.JWT).isNotZero();
        assertThat(flags("-----BEGIN") & PreFilter.PEM).isNotZero();
        assertThat(flags("abcdefghijklmnopqrst") & PreFilter.LONG_TOKEN).isNotZero();
        assertThat(flags("abcdefghijklmnopqrs") & PreFilter.LONG_TOKEN).isZero();
    }

    @Test
    void respectsTheCellBounds() {
        byte[] b = "a@b.io|plain".getBytes(StandardCharsets.UTF_8);
        assertThat(PreFilter.candidates(b, 7, b.length)).isZero();
    }

    @Test
    void countsDigitsPerWrittenNumberNotPerCell() {
        assertThat(flags("{\"a\":1234,\"b\":5678,\"c\":9012}") & PreFilter.PHONE).isZero();
        assertThat(flags("call +1 (650) 253-0000") & PreFilter.PHONE).isNotZero();
    }
}
