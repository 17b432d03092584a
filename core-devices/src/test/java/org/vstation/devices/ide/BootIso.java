package org.vstation.devices.ide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.fixtures.seabios.QemuSeaBiosBoot;

/** Test guests on a CD: a nasm boot image as the El Torito no-emulation entry of an ISO built with xorriso. */
final class BootIso {
    private BootIso() {
    }

    /** The SeaBIOS image to boot, or the test is skipped (with nasm and xorriso checked too). */
    static Path requireTools() {
        assumeTrue(Nasm.isInstalled(), "nasm not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/xorriso")), "xorriso not installed");
        Path bios = QemuSeaBiosBoot.firmware().orElse(null);
        assumeTrue(bios != null, "no SeaBIOS image: run guest-images/fetch-firmware");
        return bios;
    }

    /** Assembles {@code asmResource} (next to this class) and builds {@code dir}/boot.iso with it and {@code files}. */
    static Path build(Path dir, String asmResource, Map<String, byte[]> files) throws Exception {
        Path root = Files.createDirectories(dir.resolve("iso-root"));
        Files.write(root.resolve("boot.bin"),
                Nasm.assembleFile(Path.of(BootIso.class.getResource(asmResource).toURI())));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(root.resolve(file.getKey()), file.getValue());
        }
        Path iso = dir.resolve("boot.iso");
        Process xorriso = new ProcessBuilder("xorriso", "-as", "mkisofs", "-quiet", "-o", iso.toString(),
                "-b", "boot.bin", "-no-emul-boot", "-boot-load-size", "4", root.toString())
                .redirectErrorStream(true).start();
        String output = new String(xorriso.getInputStream().readAllBytes());
        assertEquals(0, xorriso.waitFor(), output);
        return iso;
    }
}
