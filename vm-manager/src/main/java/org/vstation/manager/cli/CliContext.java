package org.vstation.manager.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;

/**
 * What a command may use: its streams, environment and working directory (so tests run commands
 * in temporary folders), the library, and the headless runner.
 */
public final class CliContext {

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;
    private final Map<String, String> environment;
    private final Path home;
    private final Path workingDirectory;
    private final HeadlessRunner runner;
    private final boolean syncSaves;
    private String libraryOption;
    private VmLibrary library;

    public CliContext(PrintStream out, PrintStream err, BufferedReader in, Map<String, String> environment, Path home,
                      Path workingDirectory, HeadlessRunner runner, boolean syncSaves) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.environment = Map.copyOf(environment);
        this.home = home;
        this.workingDirectory = workingDirectory;
        this.runner = runner;
        this.syncSaves = syncSaves;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public HeadlessRunner runner() {
        return runner;
    }

    /** The value of the global {@code --library DIR} option, or null. */
    void setLibraryOption(String directory) {
        this.libraryOption = directory;
    }

    /** The library, opened on first use. */
    public VmLibrary library() throws IOException {
        if (library == null) {
            String option = libraryOption == null ? null : resolve(libraryOption).toString();
            library = VmLibrary.open(VmLibrary.location(option, environment, home), syncSaves);
        }
        return library;
    }

    /**
     * The VM the user named: by its name, or by its folder when the argument is a path (as the
     * warnings about copied folders suggest).
     */
    public VmEntry findVm(String nameOrFolder) throws IOException, LibraryException {
        boolean path = nameOrFolder.contains("/") || nameOrFolder.contains(File.separator);
        return library().find(path ? resolve(nameOrFolder).toString() : nameOrFolder);
    }

    /** A path the user typed, relative to the working directory; a leading "~/" means the home folder. */
    public Path resolve(String typed) {
        if (typed.equals("~")) {
            return home;
        }
        if (typed.startsWith("~/")) {
            return home.resolve(typed.substring(2)).normalize();
        }
        return workingDirectory.resolve(typed).toAbsolutePath().normalize();
    }

    /** Asks a question on the error stream and reads one answer line; null when input has ended. */
    public String ask(String question) throws IOException {
        err.print(question);
        err.flush();
        String answer = in.readLine();
        if (answer == null) {
            err.println();
            return null;
        }
        return answer.strip();
    }
}
