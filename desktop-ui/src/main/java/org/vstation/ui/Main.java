package org.vstation.ui;

import javafx.application.Application;
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
            Application.launch(VStationApp.class);
            return;
        }
        VStationCli.main(args);
    }
}
