package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLock;
import org.vstation.manager.library.VmLog;
import org.vstation.manager.runner.LibraryRunOptions;

/**
 * {@code vstation run NAME --headless [options]}: runs a library VM with the headless runner,
 * holding the VM's lock for the whole run. The VM's config becomes the runner's bare options
 * ({@code --memory --iso --disk --boot --uuid --video --nic --mac --bridge --forward --host-service --serial});
 * the user's extra options (--until, --timeout, --screenshot...) follow and win over the generated ones.
 * {@code vstation run --headless [options]} (no name) hands the options to the runner unchanged.
 * The translation is {@link LibraryRunOptions}, shared with the desktop app.
 */
final class RunCommand implements Command {

    static final String HEADLESS = LibraryRunOptions.HEADLESS;

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String help() {
        return "run a library VM headless (or bare runner options without a NAME)";
    }

    @Override
    public String usage() {
        return """
                usage: vstation run NAME --headless [runner options]
                       vstation run --headless [runner options]
                  With NAME, the VM's settings become the runner's --memory, --iso, --disk, --boot, --uuid,
                  --video, --nic, --mac, --bridge, --forward, --host-service and --serial options; runner
                  options given here (--until TEXT, --timeout SECONDS, --screenshot FILE...) are passed on
                  and replace generated ones of the same name.
                  The VM is locked while it runs: a second run, or an edit, is refused.""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws Exception {
        if (args.isEmpty()) {
            throw new UsageException("NAME: missing (or give --headless and the runner's options)");
        }
        if (args.getFirst().startsWith("--")) {
            return context.runner().run(List.copyOf(args), context.out(), context.err());
        }
        List<String> extra = new ArrayList<>(args.subList(1, args.size()));
        if (!extra.remove(HEADLESS)) {
            throw new UsageException(HEADLESS + ": missing; the console window comes with the desktop UI,"
                    + " until then VMs run headless");
        }
        VmEntry entry = context.findVm(args.getFirst());
        try (VmLock lock = context.library().lockForRun(entry)) {
            if (lock.clearedStaleHolder() != null) {
                context.err().println("note: cleared a stale lock of " + entry.name() + " ("
                        + lock.clearedStaleHolder().describe() + "; that process is gone)");
            }
            List<String> options = LibraryRunOptions.of(entry, extra);
            VmLog log = new VmLog(entry.folder());
            log.power("power on (headless): " + String.join(" ", options));
            int exitCode;
            try {
                exitCode = context.runner().run(options, context.out(), context.err());
            } catch (RuntimeException e) {
                log.error("the runner failed", e);
                throw e;
            }
            log.power("power off (runner exit code " + exitCode + ")");
            return exitCode;
        }
    }
}
