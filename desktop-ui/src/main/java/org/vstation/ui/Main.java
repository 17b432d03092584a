package org.vstation.ui;

import org.vstation.manager.cli.VStationCli;

/**
 * The launcher's entry point: with no arguments the desktop app, otherwise
 * the command line ({@code ./vstation --help}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("vstation: the desktop app is not part of this build yet; the command line is: "
                    + "./vstation --help");
            System.exit(2);
        }
        VStationCli.main(args);
    }
}
