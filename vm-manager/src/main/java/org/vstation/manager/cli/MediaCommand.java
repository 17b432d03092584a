package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLog;

/** {@code vstation media NAME --insert ISO | --eject}: the CD/DVD drive of a stopped VM. */
final class MediaCommand implements Command {

    @Override
    public String name() {
        return "media";
    }

    @Override
    public String help() {
        return "insert an ISO into a VM's CD/DVD drive, or eject it";
    }

    @Override
    public String usage() {
        return """
                usage: vstation media NAME --insert ISO | --eject
                  --insert ISO  put this ISO image in the drive (connected at power on)
                  --eject       leave the drive empty""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        Arguments parsed = Arguments.parse(name(), args, Set.of("--insert"), Set.of("--eject"));
        VmEntry entry = context.findVm(parsed.expectPositional("NAME").getFirst());
        if (parsed.has("--insert") == parsed.has("--eject")) {
            throw new UsageException("--insert, --eject: give one of them");
        }
        String change;
        VmEntry saved;
        if (parsed.has("--insert")) {
            Path iso = context.resolve(parsed.value("--insert"));
            if (!Files.isRegularFile(iso)) {
                throw new LibraryException("ISO image not found: " + iso);
            }
            saved = context.library().update(entry, config -> {
                config.cdrom.iso = VmConfig.storedPath(entry.folder(), iso);
                config.cdrom.connectAtPowerOn = true;
                return config;
            });
            change = "inserted " + iso;
        } else {
            saved = context.library().update(entry, config -> {
                config.cdrom.iso = null;
                return config;
            });
            change = "ejected";
        }
        new VmLog(saved.folder()).media(change);
        context.out().println(saved.name() + " CD/DVD: " + change);
        return VStationCli.EXIT_OK;
    }
}
