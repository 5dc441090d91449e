package dev.parapet.postgres.message;

/**
 * An 'R' message: an authentication request or result. {@code type} is the protocol's code (0 ok,
 * 3 cleartext, 5 md5, 10 SASL, 11 SASL continue, 12 SASL final); {@code data} is what follows it.
 */
public record Authentication(int type, byte[] data) implements BackendMessage {

    public static final int OK = 0;
    public static final int CLEARTEXT_PASSWORD = 3;
    public static final int MD5_PASSWORD = 5;
    public static final int SASL = 10;
    public static final int SASL_CONTINUE = 11;
    public static final int SASL_FINAL = 12;

    public static Authentication ok() {
        return new Authentication(OK, new byte[0]);
    }

    public static Authentication cleartextPassword() {
        return new Authentication(CLEARTEXT_PASSWORD, new byte[0]);
    }
}
