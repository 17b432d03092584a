package org.vstation.manager.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.vstation.manager.mac.MacAddress;

/** Reads and writes {@code <name>.vstation.json} files; every problem becomes a {@link ConfigException}. */
public final class ConfigStore {

    private static final ObjectMapper MAPPER = createMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

    private ConfigStore() {
    }

    /** Reads and validates a config file. */
    public static VmConfig read(Path file) throws ConfigException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, null, "file not found");
        } catch (IOException e) {
            throw new ConfigException(file, null, "cannot read the file: " + e.getMessage());
        }
        if (new String(content, StandardCharsets.UTF_8).isBlank()) {
            throw new ConfigException(file, null, "the file is empty (truncated?)");
        }
        try {
            return fromTree(MAPPER.readTree(content));
        } catch (ConfigException e) {
            throw e.inFile(file);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, null, describeSyntaxError(e));
        } catch (IOException e) {
            throw new ConfigException(file, null, "cannot read the file: " + e.getMessage());
        }
    }

    /** Saves atomically (see {@link AtomicFile}) after validating; a save never writes an invalid config. */
    public static void write(Path file, VmConfig config, boolean sync) throws ConfigException, IOException {
        config.validate();
        if (Files.exists(file)) {
            AtomicFile.removeLeftovers(file);
        }
        AtomicFile.write(file, toJson(config), sync);
    }

    public static byte[] toJson(VmConfig config) {
        try {
            return (WRITER.writeValueAsString(config) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a config in memory always serialises", e);
        }
    }

    public static JsonNode toTree(VmConfig config) {
        return MAPPER.valueToTree(config);
    }

    /** Binds and validates a JSON tree; field errors name the JSON path of the bad value. */
    public static VmConfig fromTree(JsonNode tree) throws ConfigException {
        if (!tree.isObject()) {
            throw new ConfigException(null, null, "expected a JSON object at the top level");
        }
        VmConfig config;
        try {
            config = MAPPER.treeToValue(tree, VmConfig.class);
        } catch (JsonMappingException e) {
            throw ConfigException.field(fieldPath(e.getPath()), describeValueError(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, null, describeSyntaxError(e));
        }
        config.validate();
        return config;
    }

    /** A deep copy, unknown fields included. */
    public static VmConfig copy(VmConfig config) {
        try {
            return fromTree(toTree(config));
        } catch (ConfigException e) {
            throw new IllegalStateException("a valid config copies to a valid config", e);
        }
    }

    static String fieldPath(List<JsonMappingException.Reference> path) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference step : path) {
            if (step.getFieldName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                field.append('[').append(step.getIndex()).append(']');
            }
        }
        return field.isEmpty() ? null : field.toString();
    }

    private static String describeSyntaxError(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String reason = e.getOriginalMessage();
        int detail = reason.indexOf('\n');
        return "not valid JSON" + where + ": " + (detail < 0 ? reason : reason.substring(0, detail));
    }

    private static String describeValueError(JsonMappingException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException) {
                return cause.getMessage();
            }
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "expected " + describeType(mismatch.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String describeType(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == UUID.class) {
            return "a UUID like 123e4567-e89b-12d3-a456-426614174000";
        }
        if (type == MacAddress.class) {
            return "a MAC address like 02:56:53:00:00:01";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum() && ConfigValue.class.isAssignableFrom(type)) {
            StringBuilder ids = new StringBuilder("one of ");
            Object[] values = type.getEnumConstants();
            for (int i = 0; i < values.length; i++) {
                ids.append(i == 0 ? "" : ", ").append(((ConfigValue) values[i]).id());
            }
            return ids.toString();
        }
        return "an object";
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter();
        printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        return printer.withObjectIndenter(new DefaultIndenter("  ", "\n"));
    }

    private static ObjectMapper createMapper() {
        SimpleModule macAddresses = new SimpleModule("vstation-mac");
        macAddresses.addSerializer(MacAddress.class, new JsonSerializer<>() {
            @Override
            public void serialize(MacAddress value, JsonGenerator out, SerializerProvider provider) throws IOException {
                out.writeString(value.toString());
            }
        });
        macAddresses.addDeserializer(MacAddress.class, new JsonDeserializer<>() {
            @Override
            public MacAddress deserialize(JsonParser in, DeserializationContext context) throws IOException {
                if (in.currentToken() != JsonToken.VALUE_STRING) {
                    return (MacAddress) context.handleUnexpectedToken(MacAddress.class, in);
                }
                return MacAddress.parse(in.getText());
            }
        });
        JsonMapper mapper = JsonMapper.builder()
                .addModule(macAddresses)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }
}
