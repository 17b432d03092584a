package org.vstation.manager.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.images.GuestImagesForTests;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.library.VmLock;
import org.vstation.manager.mac.MacGenerator;
import org.vstation.manager.runner.HeadlessRunCommand;

/**
 * Issue 9, done-when 2: the session of docs/user-guide.md runs as written. Every {@code $ ./vstation}
 * line of the block after {@code <!-- session -->} is run in a temporary home standing for
 * /home/you; what it prints must match the lines below it, except MAC addresses and UUIDs
 * (which are random) and the final run's output (which is the runner's). The fast test records
 * the final run's call; the slow one boots the live CD with the real runner.
 */
class UserGuideSessionTest {

    private static final String DOC_HOME = "/home/you";
    private static final String LIVE_CD = ".cache/vstation/images/debian-live-i386.iso";
    /** The live CD's root prompt (guest-images/debian-live). */
    /** What the guide's {@code run --until} waits for: the run ends as soon as it arrives, before the prompt's trailing space. */
    private static final String PROMPT = "vstation:/#";
    private static final Pattern MAC = Pattern.compile("02:56:53(:[0-9a-f]{2}){3}");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private record Step(String commandLine, List<String> expectedOutput) {
    }

    @TempDir
    Path temp;

    /** The session with a stand-in ISO and a runner that only records its call. */
    @Test
    void theSessionOfTheUserGuideRunsAsWritten() throws Exception {
        CliHarness cli = new CliHarness(temp);
        Path iso = cli.home.resolve(LIVE_CD);
        Files.createDirectories(iso.getParent());
        Files.write(iso, new byte[2048 * 16]);
        runSession(cli, iso);
    }

    /**
     * The session for real: the live CD, the real runner, and the final {@code run} waits until
     * the guest's root shell prompt appears on its serial console, then powers the VM off.
     */
    @Test
    @Tag("slow")
    void theSessionBootsTheLiveCdToItsShell() throws Exception {
        Path realIso = GuestImagesForTests.liveCdOrAbort();
        GuestImagesForTests.seaBiosOrAbort();
        CliHarness cli = new CliHarness(temp);
        Path iso = cli.home.resolve(LIVE_CD);
        Files.createDirectories(iso.getParent());
        Files.createSymbolicLink(iso, realIso);
        cli.runner.realRunner = HeadlessRunCommand::run;

        runSession(cli, iso);

        Path cloneFolder = cli.library().resolve("debian-test");
        String serial = Files.readString(cloneFolder.resolve("serial.log"), StandardCharsets.ISO_8859_1);
        assertTrue(serial.contains(PROMPT), "no shell prompt on the serial console:\n" + serial);
        assertTrue(serial.contains("Linux version 6.1"), serial);
        assertNull(VmLock.holder(cloneFolder), "the run released the VM's lock");
    }

    /** Runs every step of the guide's session and checks what each printed and what it changed. */
    private static void runSession(CliHarness cli, Path iso) throws Exception {
        cli.runner.watchedFolder = cli.library().resolve("debian-test");

        List<Step> steps = session();
        assertEquals(8, steps.size(), "the session in the guide changed; update this test's checks");
        List<Map<String, String>> macsAfterStep = new ArrayList<>();
        for (Step step : steps) {
            List<String> args = shellWords(step.commandLine(), cli.home);
            assertEquals("./vstation", args.getFirst());
            CliHarness.Result result = cli.runWithInput("", args.subList(1, args.size()));
            assertEquals(0, result.exitCode(), step.commandLine() + "\n" + result.err());
            if (!args.get(1).equals("run")) {
                assertEquals(normalise(String.join("\n", step.expectedOutput()).replace(DOC_HOME, cli.home.toString())),
                        normalise(result.out().stripTrailing()), step.commandLine());
                assertEquals("", result.err(), step.commandLine());
            }
            macsAfterStep.add(macs(cli.library()));
        }

        // create, nic, clone, list: two VMs with different addresses under the VStation prefix.
        Map<String, String> afterList = macsAfterStep.get(3);
        assertEquals(List.of("debian", "debian-test"), List.copyOf(afterList.keySet()));
        assertNotEquals(afterList.get("debian"), afterList.get("debian-test"));
        // regenerate changed the clone's address only.
        Map<String, String> afterRegenerate = macsAfterStep.get(5);
        assertNotEquals(afterList.get("debian-test"), afterRegenerate.get("debian-test"));
        assertEquals(afterList.get("debian"), afterRegenerate.get("debian"));
        assertNotEquals(afterRegenerate.get("debian"), afterRegenerate.get("debian-test"));

        VmLibrary library = VmLibrary.open(cli.library(), true);
        VmConfig debian = library.find("debian").config();
        VmConfig clone = library.find("debian-test").config();
        assertEquals(NicMode.NAT, debian.network.getFirst().mode);
        assertEquals(NicMode.HOST_ONLY, clone.network.getFirst().mode);
        assertNotEquals(debian.uuid, clone.uuid);
        assertTrue(MacGenerator.hasVStationPrefix(clone.network.getFirst().mac));

        // The run step: the runner was asked to run the clone with its settings, under its lock.
        Path cloneFolder = cli.library().resolve("debian-test");
        List<String> runStep = shellWords(steps.getLast().commandLine(), cli.home);
        List<String> expected = new ArrayList<>(List.of("--headless", "--memory", "256", "--iso", iso.toString(),
                "--disk", cloneFolder.resolve("debian.img").toString(), "--boot", "cdrom,disk",
                "--uuid", clone.uuid.toString(), "--video", "16", "--nic", "hostonly",
                "--mac", afterRegenerate.get("debian-test"), "--serial", cloneFolder.resolve("serial.log").toString()));
        expected.addAll(runStep.subList(4, runStep.size())); // what the guide adds after NAME --headless
        assertEquals(List.of(expected), cli.runner.calls);
        assertEquals(List.of("run " + ProcessHandle.current().pid()), cli.runner.lockHoldersDuringRun);
        String log = Files.readString(cloneFolder.resolve("vstation.log"));
        assertTrue(log.contains("power: power on (headless): --headless --memory 256"), log);
        assertTrue(log.contains("power: power off (runner exit code 0)"), log);
        assertTrue(log.contains("nic: adapter 0 mode nat -> hostonly"), log);
    }

    /** The commands and expected output of the guide's session block. */
    private static List<Step> session() throws Exception {
        Path guide = Path.of(System.getProperty("vstation.repo", "..")).resolve("docs/user-guide.md");
        List<String> lines = Files.readAllLines(guide);
        int marker = lines.indexOf("<!-- session -->");
        assertTrue(marker >= 0, "docs/user-guide.md has no <!-- session --> block");
        assertEquals("```console", lines.get(marker + 1));
        List<Step> steps = new ArrayList<>();
        for (int i = marker + 2; !lines.get(i).equals("```"); i++) {
            String line = lines.get(i);
            if (line.startsWith("$ ")) {
                steps.add(new Step(line.substring(2), new ArrayList<>()));
            } else {
                steps.getLast().expectedOutput().add(line);
            }
        }
        return steps;
    }

    private static String normalise(String output) {
        return UUID.matcher(MAC.matcher(output).replaceAll("<mac>")).replaceAll("<uuid>");
    }

    /** Each VM's first MAC address, by name, read from disk. */
    private static Map<String, String> macs(Path library) throws Exception {
        Map<String, String> macs = new LinkedHashMap<>();
        for (VmEntry entry : VmLibrary.open(library, true).entries()) {
            macs.put(entry.name(), ConfigStore.read(entry.configFile()).network.getFirst().mac.toString());
        }
        return macs;
    }

    /** Splits a command line as a POSIX shell would for these simple lines: quotes, and ~/ at a word's start. */
    static List<String> shellWords(String line, Path home) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                    if (c == '~' && (i + 1 == line.length() || line.charAt(i + 1) == '/')) {
                        word.append(home);
                        continue;
                    }
                }
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
