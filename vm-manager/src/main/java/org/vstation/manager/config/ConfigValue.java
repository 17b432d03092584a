package org.vstation.manager.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A closed set of values written in the config file by a short lower-case id. */
public interface ConfigValue {

    String id();

    /**
     * The constant whose id is {@code id}.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    static <E extends Enum<E> & ConfigValue> E parse(Class<E> type, String id) {
        for (E value : type.getEnumConstants()) {
            if (value.id().equals(id)) {
                return value;
            }
        }
        throw new IllegalArgumentException("\"" + id + "\" is not one of " + allowed(type));
    }

    static <E extends Enum<E> & ConfigValue> String allowed(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigValue::id).collect(Collectors.joining(", "));
    }
}
