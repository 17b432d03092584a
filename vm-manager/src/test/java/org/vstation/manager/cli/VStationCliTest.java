package org.vstation.manager.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.library.VmLock;

class VStationCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(temp);
    }

    private void create(String name) {
        assertOk(cli.run("create", name, "--disk-size", "1M"));
    }

    private static CliHarness.Result assertOk(CliHarness.Result result) {
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    /** Exit code 2 and exactly one line on stderr that contains {@code expected}. */
    private static void assertUsageError(CliHarness.Result result, String expected) {
        assertEquals(2, result.exitCode(), result.out() + result.err());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().contains(expected), result.err());
    }

    private VmConfig config(String name) throws Exception {
        return ConfigStore.read(cli.library().resolve(name).resolve(VmConfig.fileName(name)));
    }

    @Test
    void helpListsEveryCommandWithItsHelpLine() {
        CliHarness.Result help = assertOk(cli.run("help"));
        for (Command command : VStationCli.defaultRegistry().commands()) {
            assertTrue(help.out().contains(command.name() + "  ") && help.out().contains(command.help()),
                    command.name());
        }
        assertEquals(help.out(), assertOk(cli.run("--help")).out());
        assertEquals(new CreateCommand().usage() + "\n", assertOk(cli.run("create", "--help")).out());
        assertEquals(new MacCommand().usage() + "\n", assertOk(cli.run("help", "mac")).out());
        assertEquals(2, cli.run().exitCode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "frobnicate|frobnicate: unknown command",
            "create|NAME: missing",
            "create x --bogus|--bogus: unknown option for create",
            "create x --memory lots|--memory: \"lots\" is not a whole number",
            "create x --memory 99999|--memory: 99999 is out of range (4 to 2047 MB)",
            "create x --nic wifi|--nic: \"wifi\" is not one of nat, hostonly, bridged, none",
            "create x --os beos|--os: \"beos\" is not one of linux, windows, dos, bsd, other",
            "create x --nic bridged|--bridge: missing; --nic bridged needs the host interface",
            "create x --disk-size 12Q|--disk-size: \"12Q\" is not a size",
            "create x --disk-size 1000|--disk-size: 1000 bytes is not a whole number of 512-byte sectors",
            "create x --iso nowhere.iso|ISO image not found: ",
            "create ../x|\"../x\" is not a valid VM name",
            "create x --memory|--memory: missing value",
            "show nobody|no VM named \"nobody\"",
            "clone only-one|NEW: missing",
            "nic x --mode|--mode: missing value",
            "--library|--library: missing folder",
    })
    void badCommandLinesExitWithTwoAndOneLineNamingTheArgument(String commandLine, String expected) {
        assertUsageError(cli.run(commandLine.split(" ")), expected);
    }

    @Test
    void setChangesFieldsByAliasOrPathAndNamesTheFieldOfABadValue() throws Exception {
        create("debian");
        assertOk(cli.run("set", "debian", "memory=512", "video=32", "boot=disk,cdrom", "serial=none",
                "cdrom.connectAtPowerOn=false", "os=linux"));
        VmConfig config = config("debian");
        assertEquals(512, config.memoryMb);
        assertEquals(32, config.display.videoMemoryMb);
        assertEquals("disk", config.bootOrder.getFirst().id());
        assertEquals("none", config.serial.mode.id());
        assertFalse(config.cdrom.connectAtPowerOn);

        assertUsageError(cli.run("set", "debian", "memory=99999"), "memoryMb: 99999 is out of range (4 to 2047)");
        assertUsageError(cli.run("set", "debian", "nic=wifi"),
                "network[0].mode: \"wifi\" is not one of nat, hostonly, bridged, none");
        assertUsageError(cli.run("set", "debian", "network[0].mode=bridged"),
                "network[0].bridgeInterface: missing; mode \"bridged\" needs the host interface");
        assertUsageError(cli.run("set", "debian", "video=lots"), "video: \"lots\" is not a whole number");
        assertUsageError(cli.run("set", "debian", "bogus=1"), "bogus: unknown key");
        assertUsageError(cli.run("set", "debian", "name=other"), "name: cannot be set here; use: vstation rename");
        assertUsageError(cli.run("set", "debian", "network[0].mac=02:00:00:00:00:01"), "use: vstation mac");
        assertUsageError(cli.run("set", "debian", "memory"), "memory: expected key=value");
        assertUsageError(cli.run("set", "debian", "disks[0].sizeBytes=1024"), "cannot resize disk images");
        assertEquals(512, config("debian").memoryMb, "a refused set changes nothing");

        assertOk(cli.run("set", "debian", "forwards=tcp:8022:22,tcp:0.0.0.0:8080:80", "host-services=8000"));
        config = config("debian");
        assertEquals(List.of("tcp:127.0.0.1:8022:22", "tcp:0.0.0.0:8080:80"),
                config.network.getFirst().forwards.stream().map(forward -> forward.spec()).toList());
        assertEquals(List.of(8000), config.network.getFirst().hostServices);
        assertUsageError(cli.run("set", "debian", "forwards=udp:53:53"), "forwards: only TCP ports are forwarded");
        assertUsageError(cli.run("set", "debian", "forwards=tcp:8022:22,tcp:8022:23"),
                "network[0].forwards[1].hostPort: 8022 is forwarded twice");
        assertUsageError(cli.run("set", "debian", "host-services=99999"),
                "network[0].hostServices[0]: 99999 is out of range");
        assertOk(cli.run("set", "debian", "forwards=none", "host-services=none"));
        assertTrue(config("debian").network.getFirst().forwards.isEmpty());

        assertOk(cli.run("create", "bridged", "--nic", "bridged", "--bridge", "eth1", "--disk-size", "0"));
        assertEquals("eth1", config("bridged").network.getFirst().bridgeInterface);
        assertOk(cli.run("set", "debian", "nic=bridged", "bridge=eth0"));
        assertEquals("eth0", config("debian").network.getFirst().bridgeInterface);
        Path iso = Files.writeString(cli.workingDirectory.resolve("other.iso"), "iso");
        assertOk(cli.run("set", "debian", "iso=other.iso"));
        assertEquals(iso.toString(), config("debian").cdrom.iso);
        assertOk(cli.run("set", "debian", "iso=none"));
        assertEquals(null, config("debian").cdrom.iso);
    }

    @Test
    void listShowsEveryVmAndNamesTheFileOfEachBrokenOne() throws Exception {
        create("good");
        create("nodisk");
        Files.delete(cli.library().resolve("nodisk/nodisk.img"));
        Files.createDirectories(cli.library().resolve("empty"));
        Path corrupt = cli.library().resolve("corrupt/corrupt.vstation.json");
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "{\"formatVersion\": 1, \"name\": \"corr");

        CliHarness.Result list = assertOk(cli.run("list"));
        List<String> rows = list.out().lines().toList();
        assertEquals(5, rows.size(), list.out());
        assertTrue(rows.get(1).matches("corrupt +error +- .*"), rows.get(1));
        assertTrue(rows.get(2).matches("empty +error +- .*"), rows.get(2));
        assertTrue(rows.get(3).matches("good +stopped +256 MB +nat +02:56:53:..:..:.. +other"), rows.get(3));
        assertTrue(rows.get(4).startsWith("nodisk "), rows.get(4));
        assertTrue(list.err().contains("error: " + corrupt + ": not valid JSON at line 1"), list.err());
        assertTrue(list.err().contains("error: " + cli.library().resolve("empty")
                + ": no VM configuration (*.vstation.json) in this folder"), list.err());
        assertTrue(list.err().contains("warning: nodisk: disk image not found: "
                + cli.library().resolve("nodisk/nodisk.img")), list.err());

        assertUsageError(cli.run("run", "nodisk", "--headless"), "disk image not found: "
                + cli.library().resolve("nodisk/nodisk.img"));
        assertUsageError(cli.run("show", "corrupt"), corrupt + ": not valid JSON");
        assertOk(cli.run("delete", "corrupt", "--yes"));
        assertOk(cli.run("delete", "empty", "--yes"));
        assertFalse(Files.exists(corrupt.getParent()));
        assertFalse(assertOk(cli.run("list")).err().contains("error: "), "a broken folder can be deleted by name");
    }

    @Test
    void aCorruptLibraryIndexIsReportedAndTheLibraryFoldersStillWork() throws Exception {
        create("debian");
        Path outside = temp.resolve("elsewhere/vm");
        assertOk(cli.run("create", "external", "--disk-size", "0"));
        Files.createDirectories(outside.getParent());
        Files.move(cli.library().resolve("external"), outside);
        assertOk(cli.run("import", outside.toString()));
        Path index = cli.library().resolve(VmLibrary.INDEX_FILE);
        Files.writeString(index, "{\"formatVersion\": 1, \"registered\": [");

        CliHarness.Result list = assertOk(cli.run("list"));
        assertTrue(list.out().contains("debian "), list.out());
        assertFalse(list.out().contains("external"), list.out());
        assertTrue(list.err().startsWith("error: " + index + ": not valid JSON"), list.err());
        assertOk(cli.run("set", "debian", "memory=128"));
        assertUsageError(cli.run("import", outside.toString()), index + ": not valid JSON");
        assertTrue(Files.readString(index).endsWith("["), "the broken index is not overwritten");
    }

    @Test
    void jsonOutputWritesEachMacAsSixColonSeparatedOctets() throws Exception {
        create("debian");
        create("other");
        JsonNode list = JSON.readTree(assertOk(cli.run("list", "--json")).out());
        assertEquals(2, list.size());
        for (JsonNode vm : list) {
            assertTrue(vm.at("/network/0/mac").asText().matches("02:56:53(:[0-9a-f]{2}){3}"), vm.toString());
            assertEquals("stopped", vm.get("state").asText());
        }
        JsonNode show = JSON.readTree(assertOk(cli.run("show", "debian", "--json")).out());
        assertEquals(config("debian").network.getFirst().mac.toString(), show.at("/config/network/0/mac").asText());
        assertEquals(cli.library().resolve("debian").toString(), show.get("folder").asText());
    }

    @Test
    void deleteAsksUnlessYesAndKeepsTheVmWithoutAYes() throws Exception {
        create("debian");
        Path folder = cli.library().resolve("debian");
        CliHarness.Result unconfirmed = cli.run("delete", "debian");
        assertEquals(2, unconfirmed.exitCode());
        assertTrue(unconfirmed.err().endsWith("vstation delete: --yes: needed to delete without a terminal to confirm on\n"),
                unconfirmed.err());
        assertTrue(Files.exists(folder));
        CliHarness.Result no = assertOk(cli.runWithInput("n\n", List.of("delete", "debian")));
        assertEquals("Not deleted.\n", no.out());
        assertTrue(no.err().startsWith("Delete debian and everything in " + folder + "? [y/N] "));
        assertTrue(Files.exists(folder));
        assertOk(cli.runWithInput("y\n", List.of("delete", "debian")));
        assertFalse(Files.exists(folder));
        create("second");
        assertOk(cli.run("delete", "second", "--yes"));
        assertFalse(Files.exists(cli.library().resolve("second")));
    }

    @Test
    void importAsksMovedOrCopiedWhenTheOriginalIsStillThere() throws Exception {
        create("debian");
        Path copy = temp.resolve("usb-stick/debian");
        copyTree(cli.library().resolve("debian"), copy);
        assertUsageError(cli.run("import", copy.toString()), "a VM named \"debian\" already exists");
        CliHarness.Result unanswered = cli.run("import", copy.toString(), "--name", "debian-usb");
        assertEquals(2, unanswered.exitCode());
        assertTrue(unanswered.err().contains("--moved | --copied"), unanswered.err());

        CliHarness.Result answered = assertOk(cli.runWithInput("copied\n",
                List.of("import", copy.toString(), "--name", "debian-usb")));
        assertTrue(answered.out().startsWith("Imported debian-usb from " + copy + " (copied: new UUID"), answered.out());
        VmConfig imported = ConfigStore.read(copy.resolve("debian-usb.vstation.json"));
        assertNotEquals(config("debian").network.getFirst().mac, imported.network.getFirst().mac);
        assertNotEquals(config("debian").uuid, imported.uuid);
        assertTrue(assertOk(cli.run("list")).out().contains("debian-usb"));
        assertEquals("", cli.run("list").err());
    }

    @Test
    void theLibraryIsTheOptionElseTheEnvironmentVariableElseVStationInHome() throws Exception {
        Path viaOption = temp.resolve("option-lib");
        Path viaEnvironment = temp.resolve("env-lib");
        assertOk(cli.run("--library", viaOption.toString(), "create", "a", "--disk-size", "0"));
        assertOk(cli.run("create", "b", "--disk-size", "0", "--library=" + viaOption));
        cli.environment.put("VSTATION_LIBRARY", viaEnvironment.toString());
        assertOk(cli.run("create", "c", "--disk-size", "0"));
        cli.environment.remove("VSTATION_LIBRARY");
        assertOk(cli.run("create", "d", "--disk-size", "0"));
        assertTrue(Files.exists(viaOption.resolve("a/a.vstation.json")));
        assertTrue(Files.exists(viaOption.resolve("b/b.vstation.json")));
        assertTrue(Files.exists(viaEnvironment.resolve("c/c.vstation.json")));
        assertTrue(Files.exists(cli.home.resolve("VStation/d/d.vstation.json")));
    }

    @Test
    void runRefusesARunningVmAndReleasesTheLockAfterAFailedRun() throws Exception {
        create("debian");
        Path folder = cli.library().resolve("debian");
        try (VmLock _ = VmLock.acquire(folder, "debian", "run")) {
            assertUsageError(cli.run("run", "debian", "--headless"), "debian is in use: run by process "
                    + ProcessHandle.current().pid());
            assertUsageError(cli.run("set", "debian", "memory=512"), "debian is in use: run by process");
            assertEquals("running", JSON.readTree(cli.run("list", "--json").out()).at("/0/state").asText());
        }
        assertTrue(cli.runner.calls.isEmpty());

        cli.runner.failure = new IllegalStateException("machine exploded");
        CliHarness.Result failed = cli.run("run", "debian", "--headless");
        assertEquals(1, failed.exitCode());
        assertTrue(failed.err().contains("internal error: java.lang.IllegalStateException: machine exploded"));
        assertEquals(null, VmLock.holder(folder), "the lock is released after a failed run");
        assertTrue(Files.readString(folder.resolve("vstation.log")).contains("error: the runner failed"));

        cli.runner.failure = null;
        cli.runner.exitCode = 3;
        assertEquals(3, cli.run("run", "debian", "--headless", "--memory", "64", "--timeout", "5").exitCode());
        List<String> options = cli.runner.calls.getLast();
        assertEquals(1, options.stream().filter("--memory"::equals).count(), options.toString());
        assertEquals(List.of("--memory", "64", "--timeout", "5"), options.subList(options.size() - 4, options.size()));
        assertUsageError(cli.run("run", "debian"), "--headless: missing");
    }

    @Test
    void runWithoutANameHandsTheOptionsToTheRunnerUnchanged() {
        List<String> bare = List.of("--headless", "--memory", "64", "--iso", "x.iso", "--until", "login:");
        cli.runner.exitCode = 0;
        Stream.Builder<String> args = Stream.builder();
        args.add("run");
        bare.forEach(args::add);
        assertOk(cli.runWithInput("", args.build().toList()));
        assertEquals(List.of(bare), cli.runner.calls);
    }

    @Test
    void macSetValidatesAndWarnsOutsideTheLocallyAdministeredRange() throws Exception {
        create("debian");
        assertUsageError(cli.run("mac", "debian", "--set", "01:00:5e:00:00:01"), "is a multicast address");
        assertUsageError(cli.run("mac", "debian", "--set", "02:00:00:00:01"), "--set: \"02:00:00:00:01\" is not a MAC");
        CliHarness.Result universal = assertOk(cli.run("mac", "debian", "--set", "00:1b:21:aa:bb:cc"));
        assertTrue(universal.err().startsWith("warning: 00:1b:21:aa:bb:cc is a universally administered address"));
        assertEquals("debian adapter 0: 00:1b:21:aa:bb:cc (set by hand)\n", assertOk(cli.run("mac", "debian")).out());
        CliHarness.Result local = assertOk(cli.run("mac", "debian", "--set", "0a:00:00:00:00:01"));
        assertEquals("", local.err());
        create("other");
        assertUsageError(cli.run("mac", "other", "--set", "0a:00:00:00:00:01"), "is already used by debian");
    }

    @Test
    void mediaInsertsAndEjectsAndLogsIt() throws Exception {
        create("debian");
        assertUsageError(cli.run("media", "debian", "--insert", "missing.iso"), "ISO image not found: ");
        Path iso = Files.writeString(cli.workingDirectory.resolve("tools.iso"), "iso");
        assertOk(cli.run("media", "debian", "--insert", "tools.iso"));
        assertEquals(iso.toString(), config("debian").cdrom.iso);
        assertOk(cli.run("media", "debian", "--eject"));
        assertEquals(null, config("debian").cdrom.iso);
        String log = Files.readString(cli.library().resolve("debian/vstation.log"));
        assertTrue(log.contains("media: inserted " + iso), log);
        assertTrue(log.contains("media: ejected"), log);
        assertUsageError(cli.run("media", "debian"), "--insert, --eject: give one of them");
    }

    @Test
    void renameAndCloneFromTheCommandLine() throws Exception {
        create("debian");
        assertOk(cli.run("rename", "debian", "bookworm"));
        assertEquals("bookworm", config("bookworm").name);
        assertOk(cli.run("clone", "bookworm", "trixie"));
        assertNotEquals(config("bookworm").network.getFirst().mac, config("trixie").network.getFirst().mac);
        assertUsageError(cli.run("clone", "bookworm", "trixie"), "a VM named \"trixie\" already exists");
        assertTrue(assertOk(cli.run("show", "../home/you/VStation/trixie")).out().startsWith("name:         trixie\n"),
                "a VM can be named by its folder, relative to the working directory");
    }

    private static void copyTree(Path source, Path target) throws Exception {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
            }
        }
    }
}
