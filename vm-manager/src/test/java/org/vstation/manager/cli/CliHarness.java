package org.vstation.manager.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code vstation} commands in a temporary home folder, capturing output and runner calls. */
final class CliHarness {

    record Result(int exitCode, String out, String err) {
    }

    /**
     * A runner that records what it was asked to run and, while "running", what the VM's lock said;
     * then it hands the options to {@code realRunner} when one is set.
     */
    static final class RecordingRunner implements HeadlessRunner {
        final List<List<String>> calls = new ArrayList<>();
        final List<String> lockHoldersDuringRun = new ArrayList<>();
        Path watchedFolder;
        int exitCode;
        RuntimeException failure;
        HeadlessRunner realRunner;

        @Override
        public int run(List<String> options, PrintStream out, PrintStream err) {
            calls.add(List.copyOf(options));
            if (watchedFolder != null) {
                try {
                    var holder = org.vstation.manager.library.VmLock.holder(watchedFolder);
                    lockHoldersDuringRun.add(holder == null ? "none" : holder.purpose() + " " + holder.pid());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            return realRunner == null ? exitCode : realRunner.run(options, out, err);
        }
    }

    final Path home;
    final Path workingDirectory;
    final RecordingRunner runner = new RecordingRunner();
    final Map<String, String> environment = new HashMap<>();

    CliHarness(Path temp) throws IOException {
        home = Files.createDirectories(temp.resolve("home/you"));
        workingDirectory = Files.createDirectories(temp.resolve("work"));
    }

    Path library() {
        return home.resolve("VStation");
    }

    Result run(String... args) {
        return runWithInput("", List.of(args));
    }

    Result runWithInput(String input, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        CliContext context = new CliContext(outStream, errStream, new BufferedReader(new StringReader(input)),
                environment, home, workingDirectory, runner, true);
        int exitCode = VStationCli.run(args, context, VStationCli.defaultRegistry());
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
