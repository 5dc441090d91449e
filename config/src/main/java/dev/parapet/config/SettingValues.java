package dev.parapet.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Reads an enum setting written in kebab case ({@code verify-full} for VERIFY_FULL), with an error naming the choices. */
final class SettingValues {

    private SettingValues() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        String wanted = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E value : type.getEnumConstants()) {
            if (value.name().equals(wanted)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown value '" + text + "' (expected "
                + Arrays.stream(type.getEnumConstants()).map(SettingValues::written).collect(Collectors.joining(", ")) + ")");
    }

    private static String written(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
