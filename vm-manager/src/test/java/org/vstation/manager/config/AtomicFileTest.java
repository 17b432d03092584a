package org.vstation.manager.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AtomicFileTest {

    /** Stands for the process dying: an Error, so the save's own clean-up (for I/O errors) does not run. */
    private static final class SimulatedCrash extends Error {
    }

    @TempDir
    Path folder;

    @ParameterizedTest
    @EnumSource(AtomicFile.Step.class)
    void aCrashAtAnyStepLeavesTheOldOrTheNewConfigWhole(AtomicFile.Step crashAt) throws Exception {
        Path file = folder.resolve("vm.vstation.json");
        VmConfig old = ConfigStoreTest.everyFieldSet();
        ConfigStore.write(file, old, true);
        VmConfig changed = ConfigStoreTest.everyFieldSet();
        changed.memoryMb = 1536;

        assertThrows(SimulatedCrash.class, () -> AtomicFile.write(file, ConfigStore.toJson(changed), true, step -> {
            if (step == crashAt) {
                throw new SimulatedCrash();
            }
        }));

        VmConfig survivor = ConfigStore.read(file);
        int expected = crashAt == AtomicFile.Step.RENAMED ? changed.memoryMb : old.memoryMb;
        assertEquals(expected, survivor.memoryMb);
        if (crashAt != AtomicFile.Step.RENAMED) {
            assertEquals(1, leftovers().size(), "the crashed save's temporary file stays until the next save");
        }
        ConfigStore.write(file, changed, true);
        assertEquals(1536, ConfigStore.read(file).memoryMb);
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aFailedWriteRemovesItsTemporaryFile() throws Exception {
        Path file = folder.resolve("vm.vstation.json");
        Files.writeString(file, "old");
        assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, new byte[] {1, 2}, true, step -> {
            if (step == AtomicFile.Step.TEMP_WRITTEN) {
                throw new UncheckedIOException(new IOException("disk full"));
            }
        }));
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void temporaryFilesAreNeverTakenForConfigs() {
        assertTrue(AtomicFile.isTemporary(Path.of(".debian.vstation.json.k3j2.tmp")));
        assertFalse(AtomicFile.isTemporary(Path.of("debian.vstation.json")));
    }

    private List<Path> leftovers() throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(AtomicFile::isTemporary).toList();
        }
    }
}
