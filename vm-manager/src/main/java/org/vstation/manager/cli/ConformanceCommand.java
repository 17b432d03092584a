package org.vstation.manager.cli;

import org.vstation.manager.runner.UsageException;
import java.nio.file.Path;
import java.util.List;
import org.vstation.cpu.conformance.SingleStepSuite;

/** {@code vstation conformance singlestep DIR…}: runs hardware-captured CPU test vectors. */
final class ConformanceCommand implements Command {

    @Override
    public String name() {
        return "conformance";
    }

    @Override
    public String help() {
        return "run CPU conformance vectors (singlestep: hardware-captured MOO files)";
    }

    @Override
    public String usage() {
        return """
                usage: vstation conformance singlestep DIR|FILE...
                  Runs each instruction test of the MOO files (gzip or plain), prints a line per file
                  and a final 'N passed (N as verified i686 differences), N failed'. A test listed as a
                  286-vs-i686 difference passes only when it shows the i686 outcome of the Intel SDM.
                  Exit 0 when every test passed, 1 otherwise.""";
    }

    @Override
    public int execute(List<String> args, CliContext context) throws UsageException {
        if (args.size() < 2 || !args.getFirst().equals("singlestep")) {
            throw new UsageException("expected: conformance singlestep DIR|FILE...");
        }
        List<Path> paths = args.subList(1, args.size()).stream().map(Path::of).toList();
        for (Path path : paths) {
            if (!path.toFile().exists()) {
                throw new UsageException("no such file or folder: " + path);
            }
        }
        return SingleStepSuite.run(paths, context.out());
    }
}
