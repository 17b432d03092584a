package org.vstation.manager.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object of the config file. Fields this version does not know (written by a newer
 * VStation) are kept here and written back unchanged, so opening a VM in an older version never
 * loses settings.
 */
public abstract class ConfigSection {

    private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

    @JsonAnySetter
    void putUnknownField(String name, JsonNode value) {
        unknownFields.put(name, value);
    }

    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return unknownFields;
    }
}
