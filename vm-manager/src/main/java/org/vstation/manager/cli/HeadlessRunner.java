package org.vstation.manager.cli;

import java.io.PrintStream;
import java.util.List;

/** Runs a VM from bare headless options; the real one is {@code HeadlessRunCommand.run}, tests record the call. */
@FunctionalInterface
public interface HeadlessRunner {

    int run(List<String> options, PrintStream out, PrintStream err);
}
