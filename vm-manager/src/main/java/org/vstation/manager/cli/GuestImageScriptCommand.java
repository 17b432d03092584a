package org.vstation.manager.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands that run a script of the {@code guest-images} module from this
 * installation: fetching the firmware, building the Debian live CD.
 */
final class GuestImageScriptCommand implements Command {
    private final String name;
    private final String script;
    private final String help;

    GuestImageScriptCommand(String name, String script, String help) {
        this.name = name;
        this.script = script;
        this.help = help;
    }

    static GuestImageScriptCommand fetchFirmware() {
        return new GuestImageScriptCommand("fetch-firmware", "fetch-firmware",
                "download SeaBIOS and SeaVGABIOS (Debian's seabios package) into the cache");
    }

    static GuestImageScriptCommand buildGuest() {
        return new GuestImageScriptCommand("build-guest", "build-debian-live",
                "build the Debian i386 live CD (the demo guest) into the cache");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public String usage() {
        return "usage: vstation " + name + "\n  " + help + "; a no-op when already up to date.";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Path home = Path.of(System.getProperty("vstation.home", "."));
        Path scriptPath = home.resolve("guest-images").resolve(script);
        if (!Files.isExecutable(scriptPath)) {
            context.err().println("vstation " + name + ": " + scriptPath + " not found (run from the VStation folder)");
            return VStationCli.EXIT_INTERNAL_ERROR;
        }
        List<String> command = new ArrayList<>();
        command.add(scriptPath.toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).inheritIO().start();
        return process.waitFor();
    }
}
