package dev.parapet.postgres.message;

import java.nio.charset.StandardCharsets;

/**
 * The 'p' message: a password, or a SASL exchange step. {@code payload} is the message body as
 * sent. For a password it ends with a NUL byte; {@link #password} strips it.
 */
public record PasswordMessage(byte[] payload) implements FrontendMessage {

    public String password() {
        int end = payload.length;
        while (end > 0 && payload[end - 1] == 0) {
            end--;
        }
        return new String(payload, 0, end, StandardCharsets.UTF_8);
    }

    public static PasswordMessage ofPassword(String password) {
        byte[] text = password.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        System.arraycopy(text, 0, payload, 0, text.length);
        return new PasswordMessage(payload);
    }

    @Override
    public String toString() {
        return "PasswordMessage[" + payload.length + " bytes]";
    }
}
