package org.vstation.manager.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vstation.manager.mac.MacAddress;

class ConfigStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    /** A config where every field differs from its default. */
    static VmConfig everyFieldSet() {
        VmConfig config = new VmConfig();
        config.uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        config.name = "every-field";
        config.location = "/somewhere/every-field";
        config.guestOs = GuestOs.BSD;
        config.memoryMb = 640;
        config.bootOrder = List.of(BootDevice.NETWORK, BootDevice.DISK, BootDevice.CDROM);
        config.disks.add(new DiskConfig("system.img", 4L << 30, DiskFormat.RAW));
        config.disks.add(new DiskConfig("/mnt/data/scratch.img", 512L * 3, DiskFormat.RAW));
        config.cdrom.iso = "/isos/install.iso";
        config.cdrom.connectAtPowerOn = false;
        NicConfig first = new NicConfig();
        first.present = false;
        first.mode = NicMode.BRIDGED;
        first.bridgeInterface = "eth1";
        first.mac = MacAddress.parse("0a:00:27:00:00:01");
        first.macGenerated = false;
        NicConfig second = new NicConfig();
        second.mode = NicMode.HOST_ONLY;
        second.mac = MacAddress.parse("02:56:53:00:00:02");
        PortForwardConfig ssh = new PortForwardConfig();
        ssh.hostAddress = "0.0.0.0";
        ssh.hostPort = 2222;
        ssh.guestPort = 22;
        second.forwards.add(ssh);
        second.hostServices.add(8000);
        config.network.add(first);
        config.network.add(second);
        config.display.videoMemoryMb = 64;
        config.serial.mode = SerialMode.FILE;
        config.serial.path = "logs/com1.txt";
        return config;
    }

    @Test
    void everyFieldSurvivesASaveAndALoad() throws Exception {
        VmConfig original = everyFieldSet();
        Path file = folder.resolve("every-field.vstation.json");
        ConfigStore.write(file, original, true);
        VmConfig loaded = ConfigStore.read(file);

        assertEquals(ConfigStore.toTree(original), ConfigStore.toTree(loaded));
        assertEquals(original.uuid, loaded.uuid);
        assertEquals(GuestOs.BSD, loaded.guestOs);
        assertEquals(640, loaded.memoryMb);
        assertEquals(List.of(BootDevice.NETWORK, BootDevice.DISK, BootDevice.CDROM), loaded.bootOrder);
        assertEquals("/mnt/data/scratch.img", loaded.disks.get(1).path);
        assertEquals(1536, loaded.disks.get(1).sizeBytes);
        assertEquals("/isos/install.iso", loaded.cdrom.iso);
        assertEquals(false, loaded.cdrom.connectAtPowerOn);
        assertEquals(false, loaded.network.get(0).present);
        assertEquals(NicMode.BRIDGED, loaded.network.get(0).mode);
        assertEquals("eth1", loaded.network.get(0).bridgeInterface);
        assertEquals(MacAddress.parse("0a:00:27:00:00:01"), loaded.network.get(0).mac);
        assertEquals(false, loaded.network.get(0).macGenerated);
        assertEquals(NicMode.HOST_ONLY, loaded.network.get(1).mode);
        assertEquals("tcp:0.0.0.0:2222:22", loaded.network.get(1).forwards.getFirst().spec());
        assertEquals(List.of(8000), loaded.network.get(1).hostServices);
        assertEquals(64, loaded.display.videoMemoryMb);
        assertEquals("logs/com1.txt", loaded.serial.path);
        // The file says what it holds in the documented spelling.
        JsonNode onDisk = JSON.readTree(file.toFile());
        assertEquals("hostonly", onDisk.at("/network/1/mode").asText());
        assertEquals("0a:00:27:00:00:01", onDisk.at("/network/0/mac").asText());
        assertEquals(2222, onDisk.at("/network/1/forwards/0/hostPort").asInt());
        assertTrue(onDisk.at("/network/0/forwards").isMissingNode(), "no forwards, no field");
        assertEquals(1, onDisk.get("formatVersion").asInt());
    }

    @Test
    void fieldsFromANewerVersionAreKeptAtEveryLevel() throws Exception {
        ObjectNode tree = (ObjectNode) ConfigStore.toTree(everyFieldSet());
        tree.put("formatVersion", 7);
        tree.putObject("usb").put("controller", "xhci");
        ((ObjectNode) tree.at("/disks/0")).put("cache", "writeback");
        ((ObjectNode) tree.get("cdrom")).put("passthrough", true);
        ((ObjectNode) tree.at("/network/1")).putArray("portForwards").add("tcp:2222:22");
        ((ObjectNode) tree.get("display")).put("monitors", 2);
        ((ObjectNode) tree.get("serial")).put("baud", 115200);
        Path file = folder.resolve("newer.vstation.json");
        Files.write(file, JSON.writeValueAsBytes(tree));

        VmConfig loaded = ConfigStore.read(file);
        loaded.memoryMb = 1024;
        ConfigStore.write(file, loaded, true);

        JsonNode saved = JSON.readTree(file.toFile());
        assertEquals(7, saved.get("formatVersion").asInt());
        assertEquals(1024, saved.get("memoryMb").asInt());
        assertEquals("xhci", saved.at("/usb/controller").asText());
        assertEquals("writeback", saved.at("/disks/0/cache").asText());
        assertTrue(saved.at("/cdrom/passthrough").asBoolean());
        assertEquals("tcp:2222:22", saved.at("/network/1/portForwards/0").asText());
        assertEquals(2, saved.at("/display/monitors").asInt());
        assertEquals(115200, saved.at("/serial/baud").asInt());
    }

    /** One bad value per kind of field; the message names the field and what is allowed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/network/0/mode|\"wifi\"|network[0].mode|\"wifi\" is not one of nat, hostonly, bridged, none",
            "/guestOs|\"beos\"|guestOs|\"beos\" is not one of linux, windows, dos, bsd, other",
            "/bootOrder/1|\"floppy\"|bootOrder[1]|\"floppy\" is not one of cdrom, disk, network",
            "/disks/0/format|\"qcow2\"|disks[0].format|\"qcow2\" is not one of raw",
            "/network/0/model|\"e1000\"|network[0].model|\"e1000\" is not one of rtl8139",
            "/serial/mode|\"pipe\"|serial.mode|\"pipe\" is not one of none, file",
            "/memoryMb|4096|memoryMb|4096 is out of range (4 to 2047)",
            "/memoryMb|\"lots\"|memoryMb|expected a whole number",
            "/memoryMb|1.5|memoryMb|expected a whole number",
            "/display/videoMemoryMb|0|display.videoMemoryMb|0 is out of range (1 to 128)",
            "/cdrom/connectAtPowerOn|\"yes\"|cdrom.connectAtPowerOn|expected true or false",
            "/uuid|\"not-a-uuid\"|uuid|expected a UUID like 123e4567-e89b-12d3-a456-426614174000",
            "/uuid|null|uuid|missing; expected a UUID",
            "/name|\"../escape\"|name|\"../escape\" is not a valid name",
            "/network/0/mac|\"02:56:53:00:00\"|network[0].mac|\"02:56:53:00:00\" is not a MAC address",
            "/network/0/mac|\"03:00:00:00:00:01\"|network[0].mac|03:00:00:00:00:01 is a multicast address",
            "/network/0/mac|12|network[0].mac|expected a MAC address",
            "/disks/1/sizeBytes|1000|disks[1].sizeBytes|1000 is not a disk size (a positive multiple of 512 bytes)",
            "/disks/0/path|null|disks[0].path|missing",
            "/network/0/bridgeInterface|null|network[0].bridgeInterface|missing; mode \"bridged\" needs",
            "/serial/path|null|serial.path|missing; mode \"file\" needs",
            "/bootOrder|[]|bootOrder|empty; list one or more of cdrom, disk, network",
            "/bootOrder/0|\"cdrom\"|bootOrder[2]|\"cdrom\" is listed twice",
            "/disks|{}|disks|expected a list",
            "/formatVersion|0|formatVersion|0 is not a format version",
            "/network/1/forwards/0/hostPort|0|network[1].forwards[0].hostPort|0 is out of range (1 to 65535)",
            "/network/1/forwards/0/guestPort|65536|network[1].forwards[0].guestPort|65536 is out of range",
            "/network/1/forwards/0/protocol|\"udp\"|network[1].forwards[0].protocol|\"udp\" is not one of tcp",
            "/network/1/forwards/0/hostAddress|\"localhost\"|network[1].forwards[0].hostAddress|\"localhost\" is not an IPv4",
            "/network/1/forwards|[{\"hostPort\": 2222, \"guestPort\": 22}, {\"hostPort\": 2222, \"guestPort\": 80}]|network[1].forwards[1].hostPort|2222 is forwarded twice",
            "/network/1/hostServices/0|70000|network[1].hostServices[0]|70000 is out of range (1 to 65535)",
    })
    void aBadValueIsReportedWithItsFieldAndTheAllowedValues(String pointer, String badValue, String field,
                                                            String problem) throws Exception {
        ObjectNode tree = (ObjectNode) ConfigStore.toTree(everyFieldSet());
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = tree.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        JsonNode value = JSON.readTree(badValue);
        if (parent.isArray()) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
        Path file = folder.resolve("bad.vstation.json");
        Files.write(file, JSON.writeValueAsBytes(tree));

        ConfigException error = assertThrows(ConfigException.class, () -> ConfigStore.read(file));
        assertEquals(file, error.file());
        assertEquals(field, error.field());
        assertTrue(error.problem().startsWith(problem), error.getMessage());
        assertTrue(error.getMessage().startsWith(file + ": " + field + ": "), error.getMessage());
    }

    @Test
    void aTruncatedFileIsReportedWithItsNameAndPosition() throws Exception {
        Path file = folder.resolve("cut.vstation.json");
        byte[] whole = ConfigStore.toJson(everyFieldSet());
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        ConfigException error = assertThrows(ConfigException.class, () -> ConfigStore.read(file));
        assertEquals(file, error.file());
        assertNull(error.field());
        assertTrue(error.getMessage().startsWith(file + ": not valid JSON at line "), error.getMessage());
    }

    @Test
    void corruptEmptyAndMissingFilesAreReportedWithTheirName() throws Exception {
        assertProblem("garbage.vstation.json", "\u0000\u0001PK\u0003\u0004binary", "not valid JSON at line 1");
        assertProblem("empty.vstation.json", "", "the file is empty (truncated?)");
        assertProblem("array.vstation.json", "[1, 2]", "expected a JSON object at the top level");
        assertProblem("trailing.vstation.json", new String(ConfigStore.toJson(everyFieldSet()), StandardCharsets.UTF_8)
                + "}", "not valid JSON");
        Path missing = folder.resolve("missing.vstation.json");
        assertEquals(missing + ": file not found",
                assertThrows(ConfigException.class, () -> ConfigStore.read(missing)).getMessage());
    }

    @Test
    void anInvalidConfigIsNeverSaved() throws Exception {
        Path file = folder.resolve("keep.vstation.json");
        ConfigStore.write(file, everyFieldSet(), true);
        byte[] before = Files.readAllBytes(file);
        VmConfig invalid = everyFieldSet();
        invalid.memoryMb = 1;
        assertThrows(ConfigException.class, () -> ConfigStore.write(file, invalid, true));
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
    }

    @Test
    void pathsInsideTheVmFolderAreStoredRelative() {
        Path vm = folder.resolve("vm");
        assertEquals("disks/a.img", VmConfig.storedPath(vm, vm.resolve("disks/a.img")));
        assertEquals(folder.resolve("elsewhere.iso").toString(), VmConfig.storedPath(vm, folder.resolve("elsewhere.iso")));
        assertEquals(vm.resolve("disks/a.img"), VmConfig.resolve(vm, "disks/a.img"));
        assertEquals(Path.of("/abs/b.img"), VmConfig.resolve(vm, "/abs/b.img"));
    }

    private void assertProblem(String fileName, String content, String problemStart) throws Exception {
        Path file = folder.resolve(fileName);
        Files.writeString(file, content);
        ConfigException error = assertThrows(ConfigException.class, () -> ConfigStore.read(file));
        assertEquals(file, error.file());
        assertTrue(error.problem().startsWith(problemStart), error.getMessage());
    }
}
