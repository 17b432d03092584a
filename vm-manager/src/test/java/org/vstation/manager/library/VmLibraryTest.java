package org.vstation.manager.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.DiskFormat;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.mac.MacAddress;
import org.vstation.manager.mac.MacGenerator;

class VmLibraryTest {

    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("library");
    }

    private VmLibrary open() throws IOException {
        return VmLibrary.open(root(), true);
    }

    @Test
    void theLibraryIsTheOptionElseTheEnvironmentElseVStationInHome() {
        Path home = Path.of("/home/you");
        assertEquals(Path.of("/x"), VmLibrary.location("/x", Map.of("VSTATION_LIBRARY", "/y"), home));
        assertEquals(Path.of("/y"), VmLibrary.location(null, Map.of("VSTATION_LIBRARY", "/y"), home));
        assertEquals(Path.of("/home/you/VStation"), VmLibrary.location(null, Map.of(), home));
    }

    @Test
    void createMakesAFolderWithConfigSparseDiskAndUniqueMac() throws Exception {
        Path iso = Files.writeString(temp.resolve("install.iso"), "iso");
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withMemoryMb(512).withDiskSizeBytes(2L << 30)
                .withIso(iso).withNicMode(NicMode.HOST_ONLY).withGuestOs(GuestOs.LINUX));

        assertEquals(root().resolve("debian"), vm.folder());
        assertEquals(root().resolve("debian/debian.vstation.json"), vm.configFile());
        VmConfig config = ConfigStore.read(vm.configFile());
        assertEquals("debian", config.name);
        assertEquals(512, config.memoryMb);
        assertEquals(GuestOs.LINUX, config.guestOs);
        assertEquals("debian.img", config.disks.getFirst().path);
        assertEquals(iso.toString(), config.cdrom.iso);
        assertEquals(NicMode.HOST_ONLY, config.network.getFirst().mode);
        assertTrue(MacGenerator.hasVStationPrefix(config.network.getFirst().mac));
        assertEquals(vm.folder().toString(), config.location);
        Path disk = vm.folder().resolve("debian.img");
        assertEquals(2L << 30, Files.size(disk));
        assertTrue(allocatedBytes(disk) < (1 << 20), "the disk image is sparse");
        assertTrue(Files.readString(vm.folder().resolve(VmLog.FILE_NAME)).contains("config: created"));
        assertEquals(List.of(vm), library.entries());
        assertEquals(config.uuid, open().find("debian").config().uuid);
    }

    @Test
    void createRefusesTakenNamesBadNamesAndMissingIsos() throws Exception {
        VmLibrary library = open();
        library.create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        assertTrue(assertThrows(LibraryException.class, () -> library.create(NewVm.withDefaults("debian")))
                .getMessage().startsWith("a VM named \"debian\" already exists"));
        assertTrue(assertThrows(LibraryException.class, () -> library.create(NewVm.withDefaults("../up")))
                .getMessage().contains("is not a valid VM name"));
        assertTrue(assertThrows(LibraryException.class, () -> library.create(NewVm.withDefaults("x")
                .withIso(temp.resolve("nope.iso")))).getMessage().startsWith("ISO image not found: "));
        assertTrue(assertThrows(LibraryException.class, () -> library.create(NewVm.withDefaults("huge")
                .withMemoryMb(100_000))).getMessage().startsWith("memoryMb: 100000 is out of range"));
        assertFalse(Files.exists(root().resolve("huge")), "a refused create leaves no folder behind");
        assertEquals(1, library.entries().size());
    }

    /**
     * Issue 9: 10,000 VMs in one library, no duplicate MAC. With 24 free bits, about three first
     * draws collide among 10,000 VMs, so redrawing is exercised. The library lives on an
     * in-memory file system: the same code, without 10,000 folders of disk writes (on this
     * project's shared test machine those take minutes; -Pslow runs it on disk too).
     */
    @Test
    void tenThousandVmsGetTenThousandDifferentMacs() throws Exception {
        try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
            createManyAndCheckMacs(memory.getPath("/library"), 10_000);
        }
    }

    @Test
    @Tag("slow")
    void tenThousandVmsOnDiskGetTenThousandDifferentMacs() throws Exception {
        createManyAndCheckMacs(root(), 10_000);
    }

    private static void createManyAndCheckMacs(Path root, int count) throws Exception {
        VmLibrary library = VmLibrary.open(root, false);
        int firstDrawCollisions = 0;
        Set<MacAddress> firstDraws = new HashSet<>();
        for (int i = 0; i < count; i++) {
            VmEntry vm = library.create(NewVm.withDefaults("vm" + i).withDiskSizeBytes(0));
            if (!firstDraws.add(MacGenerator.derive(vm.config().uuid, 0, 0))) {
                firstDrawCollisions++;
            }
        }
        VmLibrary reopened = VmLibrary.open(root, false);
        Set<MacAddress> addresses = new HashSet<>();
        for (VmEntry entry : reopened.entries()) {
            MacAddress address = entry.config().network.getFirst().mac;
            assertTrue(MacGenerator.hasVStationPrefix(address));
            assertTrue(addresses.add(address), "duplicate " + address);
        }
        assertEquals(count, addresses.size());
        assertEquals(List.of(), reopened.duplicateMacs());
        System.out.println(count + " VMs, " + firstDrawCollisions + " first draws collided and were redrawn");
    }

    @Test
    void aFolderCopiedByHandIsReportedAsDuplicateAndSettledAsACopy() throws Exception {
        VmLibrary library = open();
        VmEntry original = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(1 << 20));
        copyTree(original.folder(), root().resolve("debian-copy"));

        VmLibrary reopened = open();
        assertEquals(1, reopened.duplicateMacs().size());
        assertEquals(2, reopened.duplicateMacs().getFirst().owners().size());
        VmEntry copy = reopened.entries().stream().filter(e -> e.folder().endsWith("debian-copy")).findFirst()
                .orElseThrow();
        assertEquals(VmEntry.Relocation.MOVED_OR_COPIED, copy.relocation());
        assertTrue(assertThrows(LibraryException.class, () -> reopened.find("debian")).getMessage()
                .startsWith("several VMs are named \"debian\""));
        assertThrows(MovedOrCopiedException.class, () -> reopened.lockForRun(copy));
        assertThrows(MovedOrCopiedException.class, () -> reopened.importFolder(copy.folder(), null, "debian-copy"));

        VmLibrary.ImportResult settled = reopened.importFolder(copy.folder(), ImportAnswer.COPIED, "debian-copy");
        VmConfig copied = settled.entry().config();
        assertNotEquals(original.config().uuid, copied.uuid);
        assertNotEquals(original.config().network.getFirst().mac, copied.network.getFirst().mac);
        assertTrue(MacGenerator.hasVStationPrefix(copied.network.getFirst().mac));
        assertEquals("debian-copy", copied.name);
        assertEquals(List.of(), settled.duplicates());
        assertEquals(List.of(), open().duplicateMacs());
        assertEquals(VmEntry.Relocation.IN_PLACE, open().find("debian-copy").relocation());
    }

    @Test
    void regenerateGivesANewUniqueAddressAndLogsIt() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        MacAddress before = vm.config().network.getFirst().mac;
        VmEntry after = library.regenerateMac(vm, 0);
        MacAddress regenerated = after.config().network.getFirst().mac;
        assertNotEquals(before, regenerated);
        assertTrue(MacGenerator.hasVStationPrefix(regenerated));
        assertEquals(regenerated, ConfigStore.read(vm.configFile()).network.getFirst().mac);
        assertTrue(Files.readString(vm.folder().resolve(VmLog.FILE_NAME))
                .contains("nic: adapter 0 MAC regenerated: " + before + " -> " + regenerated));
        assertThrows(LibraryException.class, () -> library.regenerateMac(after, 1));
    }

    @Test
    void aHandSetAddressMustBeUnicastAndUnused() throws Exception {
        VmLibrary library = open();
        VmEntry first = library.create(NewVm.withDefaults("first").withDiskSizeBytes(0));
        VmEntry second = library.create(NewVm.withDefaults("second").withDiskSizeBytes(0));
        MacAddress taken = first.config().network.getFirst().mac;
        assertTrue(assertThrows(LibraryException.class, () -> library.setMac(second, 0, taken)).getMessage()
                .contains("is already used by first"));
        assertThrows(LibraryException.class, () -> library.setMac(second, 0, MacAddress.parse("01:00:5e:00:00:01")));
        VmEntry set = library.setMac(second, 0, MacAddress.parse("00:1b:21:aa:bb:cc"));
        assertEquals("00:1b:21:aa:bb:cc", set.config().network.getFirst().mac.toString());
        assertFalse(set.config().network.getFirst().macGenerated);
    }

    @Test
    void cloneCopiesDisksSparselyWithANewUuidAndMac() throws Exception {
        VmLibrary library = open();
        Path outside = temp.resolve("outside");
        Files.createDirectories(outside);
        Path externalDisk = outside.resolve("data.img");
        VmEntry source = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(64L << 20));
        SparseFilesTestSupport.writeAt(source.folder().resolve("debian.img"), 40L << 20, "boot sector data");
        Files.write(externalDisk, new byte[4096]);
        SparseFilesTestSupport.writeAt(externalDisk, 1000, "external");
        source = library.update(source, config -> {
            config.disks.add(new DiskConfig(externalDisk.toString(), 4096,
                    DiskFormat.RAW));
            return config;
        });

        VmEntry clone = library.clone(source, "debian-test");

        assertNotEquals(source.config().uuid, clone.config().uuid);
        assertNotEquals(source.config().network.getFirst().mac, clone.config().network.getFirst().mac);
        assertTrue(clone.config().network.getFirst().macGenerated);
        Path clonedDisk = clone.folder().resolve("debian.img");
        assertEquals(64L << 20, Files.size(clonedDisk));
        assertEquals("boot sector data", SparseFilesTestSupport.readAt(clonedDisk, 40L << 20, 16));
        assertTrue(allocatedBytes(clonedDisk) < (1 << 20), "the cloned disk stays sparse");
        assertEquals("data.img", clone.config().disks.get(1).path, "an outside disk is copied into the clone");
        assertEquals("external", SparseFilesTestSupport.readAt(clone.folder().resolve("data.img"), 1000, 8));
        assertEquals(VmEntry.Relocation.IN_PLACE, clone.relocation());
        assertFalse(Files.exists(clone.folder().resolve("debian.vstation.json")));
        assertTrue(Files.exists(clone.folder().resolve("debian-test.vstation.json")));
        assertEquals(source.config().network.getFirst().mac,
                ConfigStore.read(source.configFile()).network.getFirst().mac, "the source keeps its address");
        assertEquals(List.of(), open().duplicateMacs());
    }

    @Test
    void aDiskLinkedIntoTheFolderIsCopiedNotShared() throws Exception {
        VmLibrary library = open();
        Path shared = Files.write(temp.resolve("shared.img"), new byte[4096]);
        VmEntry source = library.create(NewVm.withDefaults("linked").withDiskSizeBytes(0));
        Files.createSymbolicLink(source.folder().resolve("disk.img"), shared);
        source = library.update(source, config -> {
            config.disks.add(new DiskConfig("disk.img", 4096, DiskFormat.RAW));
            return config;
        });
        VmEntry clone = library.clone(source, "linked-clone");
        Path cloneDisk = clone.folder().resolve("disk.img");
        assertFalse(Files.isSymbolicLink(cloneDisk));
        SparseFilesTestSupport.writeAt(cloneDisk, 0, "clone");
        assertEquals("\0\0\0\0\0", SparseFilesTestSupport.readAt(shared, 0, 5), "the source's disk is untouched");
    }

    @Test
    void aRegisteredFolderThatVanishedIsListedAndCanBeDeletedFromTheLibrary() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("wanderer").withDiskSizeBytes(0));
        Path outside = temp.resolve("outside/wanderer");
        Files.createDirectories(outside.getParent());
        Files.move(vm.folder(), outside);
        open().importFolder(outside, null, null);
        deleteRecursively(outside);

        VmLibrary reopened = open();
        VmEntry gone = reopened.find(outside.toString());
        assertEquals(outside + ": VM folder not found", gone.errorMessage());
        reopened.delete(gone);
        assertEquals(List.of(), open().entries());
    }

    @Test
    void aMovedFolderKeepsItsIdentityACopiedOneGetsTheChoice() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        MacAddress mac = vm.config().network.getFirst().mac;

        Path movedTo = temp.resolve("elsewhere/debian");
        Files.createDirectories(movedTo.getParent());
        Files.move(vm.folder(), movedTo);
        VmLibrary afterMove = open();
        VmLibrary.ImportResult moved = afterMove.importFolder(movedTo, null, null);
        assertEquals("moved: UUID and MAC addresses kept", moved.note());
        assertEquals(vm.config().uuid, moved.entry().config().uuid);
        assertEquals(mac, moved.entry().config().network.getFirst().mac);
        assertEquals(movedTo.toString(), moved.entry().config().location);
        assertEquals(List.of(moved.entry().folder()), open().entries().stream().map(VmEntry::folder).toList(),
                "the registered folder is part of the library");
        assertEquals("already in the library", open().importFolder(movedTo, null, null).note());

        Path copiedTo = temp.resolve("backup/debian");
        copyTree(movedTo, copiedTo);
        VmLibrary afterCopy = open();
        MovedOrCopiedException question = assertThrows(MovedOrCopiedException.class,
                () -> afterCopy.importFolder(copiedTo, null, "debian2"));
        assertEquals(movedTo, question.previousLocation());
        VmLibrary.ImportResult keptAnyway = afterCopy.importFolder(copiedTo, ImportAnswer.MOVED, "debian2");
        assertEquals(mac, keptAnyway.entry().config().network.getFirst().mac);
        assertEquals(1, keptAnyway.duplicates().size(), "saying moved while the original is there is a duplicate");

        Path secondCopy = temp.resolve("backup2/debian");
        copyTree(movedTo, secondCopy);
        VmLibrary.ImportResult copied = open().importFolder(secondCopy, ImportAnswer.COPIED, "debian3");
        assertNotEquals(vm.config().uuid, copied.entry().config().uuid);
        assertNotEquals(mac, copied.entry().config().network.getFirst().mac);
        assertEquals(List.of(), copied.duplicates());
    }

    @Test
    void aLibraryOpenedThroughASymbolicLinkIsInPlace() throws Exception {
        VmEntry vm = open().create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        Path link = Files.createSymbolicLink(temp.resolve("link-to-library"), root());
        VmLibrary viaLink = VmLibrary.open(link, true);
        VmEntry seen = viaLink.find("debian");
        assertEquals(VmEntry.Relocation.IN_PLACE, seen.relocation());
        assertEquals(vm.config().uuid, seen.config().uuid);
        assertEquals(List.of(), viaLink.duplicateMacs());
    }

    @Test
    void deleteRemovesTheFolderButNothingOutsideIt() throws Exception {
        VmLibrary library = open();
        Path outside = Files.createDirectories(temp.resolve("keep"));
        Path iso = Files.writeString(outside.resolve("install.iso"), "iso");
        Path externalDisk = Files.writeString(outside.resolve("external.img"), "disk");
        VmEntry vm = library.create(NewVm.withDefaults("doomed").withDiskSizeBytes(1 << 20).withIso(iso));
        vm = library.update(vm, config -> {
            config.disks.add(new DiskConfig(externalDisk.toString(), 512,
                    DiskFormat.RAW));
            return config;
        });
        Files.createSymbolicLink(vm.folder().resolve("link-to-outside"), outside);
        Files.createSymbolicLink(vm.folder().resolve("link-to-iso"), iso);
        Files.createDirectories(vm.folder().resolve("snapshots/old"));
        Files.writeString(vm.folder().resolve("snapshots/old/state.bin"), "state");

        library.delete(vm);

        assertFalse(Files.exists(vm.folder()));
        assertEquals("iso", Files.readString(iso));
        assertEquals("disk", Files.readString(externalDisk));
        assertEquals(List.of(), library.entries());
        assertEquals(List.of(), open().entries());
    }

    @Test
    void aRunningVmCannotBeStartedTwiceEditedClonedOrDeleted() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(1 << 20));
        try (VmLock _ = library.lockForRun(vm)) {
            assertThrows(VmLockedException.class, () -> library.lockForRun(vm));
            assertThrows(VmLockedException.class, () -> library.update(vm, config -> {
                config.memoryMb = 512;
                return config;
            }));
            assertThrows(VmLockedException.class, () -> library.regenerateMac(vm, 0));
            assertThrows(VmLockedException.class, () -> library.clone(vm, "copy"));
            assertThrows(VmLockedException.class, () -> library.rename(vm, "other"));
            assertThrows(VmLockedException.class, () -> library.delete(vm));
            assertFalse(Files.exists(root().resolve("copy")), "a refused clone leaves no folder");
        }
        assertEquals(256, ConfigStore.read(vm.configFile()).memoryMb);
        Path iso = Files.writeString(temp.resolve("tools.iso"), "iso");
        try (VmLock running = library.lockForRun(vm)) {
            VmEntry changed = library.updateWhileRunning(running, vm, config -> {
                config.cdrom.iso = iso.toString();
                return config;
            });
            assertEquals(iso.toString(), changed.config().cdrom.iso, "the runner saves a media change as it runs");
        }
        assertEquals(512, library.update(vm, config -> {
            config.memoryMb = 512;
            return config;
        }).config().memoryMb);
    }

    @Test
    void renameMovesTheFolderAndTheConfigFile() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(1 << 20));
        VmEntry renamed = library.rename(vm, "bookworm");
        assertEquals(root().resolve("bookworm"), renamed.folder());
        assertEquals(root().resolve("bookworm/bookworm.vstation.json"), renamed.configFile());
        assertFalse(Files.exists(vm.folder()));
        assertEquals("bookworm", ConfigStore.read(renamed.configFile()).name);
        assertEquals(vm.config().uuid, renamed.config().uuid);
        assertEquals(List.of(), renamed.problems(), "the disk path is relative, so it moved along");
        assertEquals(List.of("bookworm"), open().entries().stream().map(VmEntry::name).toList());
    }

    @Test
    void brokenFoldersAreListedWithTheirProblemNextToTheGoodOnes() throws Exception {
        VmLibrary library = open();
        library.create(NewVm.withDefaults("good").withDiskSizeBytes(0));
        VmEntry truncated = library.create(NewVm.withDefaults("truncated").withDiskSizeBytes(0));
        VmEntry noDisk = library.create(NewVm.withDefaults("nodisk").withDiskSizeBytes(1 << 20));
        byte[] config = Files.readAllBytes(truncated.configFile());
        Files.write(truncated.configFile(), Arrays.copyOf(config, config.length / 3));
        Files.delete(noDisk.folder().resolve("nodisk.img"));
        Files.createDirectories(root().resolve("empty"));
        Files.createDirectories(root().resolve("corrupt"));
        Files.writeString(root().resolve("corrupt/corrupt.vstation.json"), "{\"name\": \"corrupt\", \"memoryMb\": ");

        Map<String, VmEntry> byFolder = new TreeMap<>();
        open().entries().forEach(entry -> byFolder.put(entry.folder().getFileName().toString(), entry));

        assertEquals(Set.of("good", "truncated", "nodisk", "empty", "corrupt"), byFolder.keySet());
        assertTrue(byFolder.get("good").isReadable());
        assertTrue(byFolder.get("truncated").errorMessage().startsWith(truncated.configFile() + ": not valid JSON"));
        assertTrue(byFolder.get("corrupt").errorMessage()
                .startsWith(root().resolve("corrupt/corrupt.vstation.json") + ": not valid JSON"));
        assertEquals(root().resolve("empty") + ": no VM configuration (*.vstation.json) in this folder",
                byFolder.get("empty").errorMessage());
        assertEquals(List.of("disk image not found: " + noDisk.folder().resolve("nodisk.img") + " (disks[0].path)"),
                byFolder.get("nodisk").problems());
        VmLibrary reopened = open();
        LibraryException refused = assertThrows(LibraryException.class,
                () -> reopened.lockForRun(reopened.find("nodisk")));
        assertTrue(refused.getMessage().contains("disk image not found: " + noDisk.folder().resolve("nodisk.img")));
    }

    @Test
    void twoLibrariesOnOneFolderSeeEachOthersChanges() throws Exception {
        VmLibrary first = open();
        VmLibrary second = open();
        VmEntry created = first.create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        assertThrows(LibraryException.class, () -> second.create(NewVm.withDefaults("debian")));
        VmEntry other = second.create(NewVm.withDefaults("other").withDiskSizeBytes(0));
        assertNotEquals(created.config().network.getFirst().mac, other.config().network.getFirst().mac);
        assertEquals(2, second.entries().size());
    }

    @Test
    void libraryObjectsOnOneFolderInSeveralThreadsNeverShareANameOrAddress() throws Exception {
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            VmLibrary own = VmLibrary.open(root(), false);
            results.add(pool.submit(() -> {
                int created = 0;
                for (int i = 0; i < perThread; i++) {
                    try {
                        own.create(NewVm.withDefaults("vm" + i).withDiskSizeBytes(0));
                        created++;
                    } catch (LibraryException taken) {
                        assertTrue(taken.getMessage().startsWith("a VM named \"vm" + i + "\" already exists"),
                                taken.getMessage());
                    }
                }
                return created;
            }));
        }
        int created = 0;
        for (Future<Integer> result : results) {
            created += result.get();
        }
        pool.shutdown();
        assertEquals(perThread, created, "each name was created exactly once");
        VmLibrary reopened = open();
        assertEquals(perThread, reopened.entries().size());
        assertEquals(List.of(), reopened.duplicateMacs());
    }

    @Test
    void aLeftoverTemporaryFileIsNotAVm() throws Exception {
        VmLibrary library = open();
        VmEntry vm = library.create(NewVm.withDefaults("debian").withDiskSizeBytes(0));
        Files.writeString(vm.folder().resolve(".debian.vstation.json.abc.tmp"), "{\"half\": ");
        VmEntry reread = open().find("debian");
        assertTrue(reread.isReadable());
        assertNull(reread.error());
    }

    private static long allocatedBytes(Path file) throws Exception {
        return SparseFilesTest.allocatedBytes(file);
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
            }
        }
    }

    /** Reads and writes a few bytes of a disk image at an offset. */
    static final class SparseFilesTestSupport {
        static void writeAt(Path file, long offset, String text) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), offset);
            }
        }

        static String readAt(Path file, long offset, int length) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(length);
                channel.read(buffer, offset);
                return new String(buffer.array(), StandardCharsets.US_ASCII);
            }
        }
    }
}
