package dev.parapet.masking;

import java.util.Arrays;

/**
 * Just enough JSON for masking without a parser's allocations: a validating walk that reports
 * where each string and number is (and whether a string is an object key), plus the escaping
 * rules needed to write a masked string back so that the document stays valid.
 */
final class JsonText {

    /** Receives the leaves of a document, in order. Positions are byte indexes. */
    interface Leaves {
        /** A string whose content (between the quotes) is {@code [start, end)}. */
        void string(int start, int end, boolean key);

        void number(int start, int end);
    }

    private static final int VALUE = 0;
    private static final int VALUE_OR_CLOSE = 1;
    private static final int KEY = 2;
    private static final int KEY_OR_CLOSE = 3;
    private static final int COLON = 4;
    private static final int COMMA_OR_CLOSE = 5;
    private static final int DONE = 6;
    private static final String[] LITERALS = {"true", "false", "null"};

    private JsonText() {}

    static boolean isValid(byte[] b, int from, int to) {
        return walk(b, from, to, null);
    }

    /** Walks one JSON document in {@code b[from, to)}; false if it is not valid JSON. */
    static boolean walk(byte[] b, int from, int to, Leaves leaves) {
        byte[] stack = new byte[16];
        int depth = 0;
        int expect = VALUE;
        int i = from;
        while (true) {
            while (i < to && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
                i++;
            }
            if (i == to) {
                return expect == DONE;
            }
            byte c = b[i];
            switch (expect) {
                case VALUE, VALUE_OR_CLOSE -> {
                    if (c == ']' && expect == VALUE_OR_CLOSE) {
                        depth--;
                        i++;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    } else if (c == '{' || c == '[') {
                        if (depth == stack.length) {
                            stack = Arrays.copyOf(stack, depth * 2);
                        }
                        stack[depth++] = c;
                        i++;
                        expect = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
                    } else if (c == '"') {
                        int end = stringEnd(b, i + 1, to);
                        if (end < 0) {
                            return false;
                        }
                        if (leaves != null) {
                            leaves.string(i + 1, end, false);
                        }
                        i = end + 1;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    } else if (c == '-' || Ascii.isDigit(c)) {
                        int end = numberEnd(b, i, to);
                        if (end < 0) {
                            return false;
                        }
                        if (leaves != null) {
                            leaves.number(i, end);
                        }
                        i = end;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    } else {
                        int end = literalEnd(b, i, to);
                        if (end < 0) {
                            return false;
                        }
                        i = end;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    }
                }
                case KEY, KEY_OR_CLOSE -> {
                    if (c == '}' && expect == KEY_OR_CLOSE) {
                        depth--;
                        i++;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    } else if (c == '"') {
                        int end = stringEnd(b, i + 1, to);
                        if (end < 0) {
                            return false;
                        }
                        if (leaves != null) {
                            leaves.string(i + 1, end, true);
                        }
                        i = end + 1;
                        expect = COLON;
                    } else {
                        return false;
                    }
                }
                case COLON -> {
                    if (c != ':') {
                        return false;
                    }
                    i++;
                    expect = VALUE;
                }
                case COMMA_OR_CLOSE -> {
                    byte open = stack[depth - 1];
                    if (c == ',') {
                        i++;
                        expect = open == '{' ? KEY : VALUE;
                    } else if ((c == '}' && open == '{') || (c == ']' && open == '[')) {
                        depth--;
                        i++;
                        expect = depth == 0 ? DONE : COMMA_OR_CLOSE;
                    } else {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
    }

    /** Index of the closing quote of a string whose content starts at {@code from}, or -1. */
    private static int stringEnd(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            if (c == '\\') {
                if (i + 1 >= to) {
                    return -1;
                }
                byte e = b[i + 1];
                if (e == 'u') {
                    if (i + 6 > to) {
                        return -1;
                    }
                    for (int k = i + 2; k < i + 6; k++) {
                        if (!Ascii.isHex(b[k])) {
                            return -1;
                        }
                    }
                    i += 6;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return -1;
                }
                i += 2;
                continue;
            }
            if (c >= 0 && c < 0x20) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    private static int numberEnd(byte[] b, int from, int to) {
        int i = from;
        if (b[i] == '-') {
            i++;
        }
        int intStart = i;
        while (i < to && Ascii.isDigit(b[i])) {
            i++;
        }
        if (i == intStart || (b[intStart] == '0' && i - intStart > 1)) {
            return -1;
        }
        if (i < to && b[i] == '.') {
            int fs = ++i;
            while (i < to && Ascii.isDigit(b[i])) {
                i++;
            }
            if (i == fs) {
                return -1;
            }
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int es = i;
            while (i < to && Ascii.isDigit(b[i])) {
                i++;
            }
            if (i == es) {
                return -1;
            }
        }
        return i;
    }

    private static int literalEnd(byte[] b, int from, int to) {
        for (String literal : LITERALS) {
            if (Ascii.startsWith(b, from, to, literal)) {
                return from + literal.length();
            }
        }
        return -1;
    }

    /**
     * Where {@code pos} falls inside an escape sequence of the string whose content starts at
     * {@code contentStart}: the start of that sequence; otherwise {@code pos} itself.
     */
    static int escapeStartAround(byte[] b, int contentStart, int pos) {
        int i = contentStart;
        while (i < pos) {
            if (b[i] == '\\') {
                int len = b[i + 1] == 'u' ? 6 : 2;
                if (pos < i + len) {
                    return i;
                }
                i += len;
            } else {
                i++;
            }
        }
        return pos;
    }

    /** Like {@link #escapeStartAround}, but moves {@code pos} to the end of the sequence. */
    static int escapeEndAround(byte[] b, int contentStart, int pos) {
        int start = escapeStartAround(b, contentStart, pos);
        if (start == pos) {
            return pos;
        }
        return start + (b[start + 1] == 'u' ? 6 : 2);
    }

    /** The text of a string's content, escapes decoded. */
    static String decode(byte[] b, int from, int to) {
        int firstEscape = -1;
        for (int i = from; i < to; i++) {
            if (b[i] == '\\') {
                firstEscape = i;
                break;
            }
        }
        if (firstEscape < 0) {
            return new String(b, from, to - from, java.nio.charset.StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder(to - from);
        out.append(new String(b, from, firstEscape - from, java.nio.charset.StandardCharsets.UTF_8));
        int i = firstEscape;
        int plain = i;
        while (i < to) {
            if (b[i] != '\\') {
                i++;
                continue;
            }
            out.append(new String(b, plain, i - plain, java.nio.charset.StandardCharsets.UTF_8));
            byte e = b[i + 1];
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append((char) Integer.parseInt(new String(b, i + 2, 4, java.nio.charset.StandardCharsets.US_ASCII), 16));
                default -> out.append((char) e);
            }
            i += e == 'u' ? 6 : 2;
            plain = i;
        }
        out.append(new String(b, plain, to - plain, java.nio.charset.StandardCharsets.UTF_8));
        return out.toString();
    }

    /** Appends {@code s} escaped for the inside of a JSON string (no surrounding quotes). */
    static void appendEscaped(ByteSink out, String s) {
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                out.append(s.substring(plain, i));
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
                plain = i + 1;
            }
        }
        out.append(s.substring(plain));
    }
}
