package org.vstation.manager.library;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.vstation.manager.config.AtomicFile;
import org.vstation.manager.config.ConfigException;
import org.vstation.manager.config.ConfigStore;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.DiskFormat;
import org.vstation.manager.config.NicConfig;
import org.vstation.manager.config.SerialMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.mac.MacAddress;
import org.vstation.manager.mac.MacRegistry;

/**
 * A folder of VMs: every subfolder holding a {@code <name>.vstation.json}, plus VM folders
 * elsewhere registered with {@link #importFolder} (listed in {@code library.json}).
 *
 * <p>Changes that touch more than one VM (names, MAC addresses, the registered list) run under a
 * library-wide OS lock and start by rereading the library if another process changed it since
 * (a generation number kept in the lock file), so two commands run at once never hand out the
 * same name or address. Changes to one VM also hold that VM's {@link VmLock}.
 */
public final class VmLibrary {

    public static final String DEFAULT_FOLDER_NAME = "VStation";
    public static final String INDEX_FILE = "library.json";
    private static final String LIBRARY_LOCK_FILE = ".vstation-library.lock";
    private static final String SERIAL_FILE = "serial.log";
    private static final ObjectMapper INDEX_MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The contents of library.json. */
    record Index(int formatVersion, List<String> registered) {
    }

    /** What an import did, for the user: a note on the moved/copied decision and any duplicate addresses. */
    public record ImportResult(VmEntry entry, String note, List<MacRegistry.Duplicate> duplicates) {
    }

    /**
     * OS file locks belong to the process: a second library object on the same folder in this JVM
     * (a window and a background task) would get OverlappingFileLockException, so threads queue here first.
     */
    private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    @FunctionalInterface
    private interface Change<T> {
        T apply() throws IOException, LibraryException;
    }

    private final Path root;
    private final boolean sync;
    private final Map<Path, VmEntry> entries = new TreeMap<>();
    /** Readable VMs by name; a name has several folders only when a folder was copied by hand. */
    private final Map<String, List<Path>> foldersByName = new HashMap<>();
    private final List<Path> registered = new ArrayList<>();
    private MacRegistry macs = new MacRegistry();
    private long generation = -1;
    /** Why library.json could not be read, or null; the library's own folders still work. */
    private String indexProblem;

    private VmLibrary(Path root, boolean sync) {
        this.root = root;
        this.sync = sync;
    }

    /** Where the library is: {@code --library} if given, else $VSTATION_LIBRARY, else ~/VStation. */
    public static Path location(String libraryOption, Map<String, String> environment, Path home) {
        if (libraryOption != null) {
            return Path.of(libraryOption);
        }
        String fromEnvironment = environment.get("VSTATION_LIBRARY");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return home.resolve(DEFAULT_FOLDER_NAME);
    }

    /**
     * Opens (creating it if needed) the library in {@code root} and reads every VM in it.
     *
     * @param sync fsync every save; false only for bulk tests (see {@link AtomicFile})
     */
    public static VmLibrary open(Path root, boolean sync) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        VmLibrary library = new VmLibrary(absolute, sync);
        // Read before scanning: a change made during the scan then makes the next change() rescan.
        long generation = library.readGeneration();
        library.rescan(library.readIndex(), generation);
        return library;
    }

    public Path root() {
        return root;
    }

    /** Every VM folder, readable or not, in folder order. */
    public synchronized List<VmEntry> entries() {
        return List.copyOf(entries.values());
    }

    /** Why the list of VM folders registered by import (library.json) cannot be read, or null. */
    public synchronized String indexProblem() {
        return indexProblem;
    }

    /** Addresses used by more than one adapter of this library. */
    public synchronized List<MacRegistry.Duplicate> duplicateMacs() {
        return macs.duplicates();
    }

    /** The VM with this name (or, failing that, this folder name or absolute folder path). */
    public synchronized VmEntry find(String nameOrFolder) throws LibraryException {
        List<VmEntry> named = foldersByName.getOrDefault(nameOrFolder, List.of()).stream().map(entries::get).toList();
        if (named.size() == 1) {
            return named.getFirst();
        }
        if (named.size() > 1) {
            StringBuilder folders = new StringBuilder();
            named.forEach(entry -> folders.append(folders.isEmpty() ? "" : ", ").append(entry.folder()));
            throw new LibraryException("several VMs are named \"" + nameOrFolder + "\" (folders " + folders
                    + "); give the folder path instead, or import the copy with --copied --name NEW");
        }
        for (VmEntry entry : entries.values()) {
            if (entry.folder().getFileName().toString().equals(nameOrFolder)
                    || entry.folder().toString().equals(nameOrFolder)) {
                return entry;
            }
        }
        throw new LibraryException("no VM named \"" + nameOrFolder + "\" in the library " + root);
    }

    public VmEntry create(NewVm spec) throws IOException, LibraryException {
        requireValidName(spec.name());
        if (spec.iso() != null && !Files.isRegularFile(spec.iso())) {
            throw new LibraryException("ISO image not found: " + spec.iso().toAbsolutePath());
        }
        return change(() -> {
            requireFreeName(spec.name(), null);
            Path folder = root.resolve(spec.name());
            if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                throw new LibraryException("the folder " + folder + " already exists; choose another name");
            }
            Files.createDirectory(folder);
            try {
                VmConfig config = new VmConfig();
                config.uuid = UUID.randomUUID();
                config.name = spec.name();
                config.location = folder.toString();
                config.guestOs = spec.guestOs();
                config.memoryMb = spec.memoryMb();
                if (spec.diskSizeBytes() > 0) {
                    String diskName = spec.name() + ".img";
                    config.disks.add(new DiskConfig(diskName, spec.diskSizeBytes(), DiskFormat.RAW));
                }
                if (spec.iso() != null) {
                    config.cdrom.iso = VmConfig.storedPath(folder, spec.iso());
                }
                NicConfig nic = new NicConfig();
                nic.mode = spec.nicMode();
                nic.bridgeInterface = spec.bridgeInterface();
                nic.mac = macs.allocate(config.uuid, folder, 0, null);
                config.network.add(nic);
                config.serial.mode = SerialMode.FILE;
                config.serial.path = SERIAL_FILE;
                for (DiskConfig disk : config.disks) {
                    SparseFiles.createEmpty(VmConfig.resolve(folder, disk.path), disk.sizeBytes);
                }
                writeConfig(folder.resolve(VmConfig.fileName(config.name)), config);
                new VmLog(folder).config("created with " + config.memoryMb + " MB, NIC " + nic.mode.id() + " " + nic.mac);
                return store(new VmEntry(folder, folder.resolve(VmConfig.fileName(config.name)), config, null,
                        problems(folder, config), VmEntry.Relocation.IN_PLACE));
            } catch (IOException | LibraryException | RuntimeException e) {
                deleteTree(folder);
                throw e;
            }
        });
    }

    /**
     * Saves {@code edit} applied to a copy of the VM's config, holding the VM's lock. The edit may
     * not change the name or addresses (use {@link #rename} and {@link #setMac}); adapters it adds
     * get generated addresses.
     */
    public VmEntry update(VmEntry vm, UnaryOperator<VmConfig> edit) throws IOException, LibraryException {
        return change(() -> {
            VmEntry current = requireSettled(vm);
            try (VmLock _ = VmLock.acquire(current.folder(), current.name(), "edit")) {
                return applyEdit(current, edit);
            }
        });
    }

    /**
     * {@link #update} for whoever runs the VM and so already holds its lock: a medium changed or a
     * NIC switched on a running VM is saved, so it is still there at the next power on.
     */
    public VmEntry updateWhileRunning(VmLock runLock, VmEntry vm, UnaryOperator<VmConfig> edit)
            throws IOException, LibraryException {
        if (!runLock.isHeld() || !runLock.folder().equals(vm.folder())) {
            throw new IllegalArgumentException("the lock given is not a held lock of " + vm.folder());
        }
        return change(() -> applyEdit(requireSettled(vm), edit));
    }

    private VmEntry applyEdit(VmEntry current, UnaryOperator<VmConfig> edit) throws IOException, LibraryException {
        VmConfig edited = edit.apply(ConfigStore.copy(current.config()));
        if (!edited.name.equals(current.config().name) || !edited.uuid.equals(current.config().uuid)) {
            throw new LibraryException("use rename to change the name; the UUID cannot be changed");
        }
        for (int i = 0; i < edited.network.size(); i++) {
            NicConfig nic = edited.network.get(i);
            if (i >= current.config().network.size()) {
                nic.mac = macs.allocate(edited.uuid, current.folder(), i, null);
                nic.macGenerated = true;
            } else if (!Objects.equals(nic.mac, current.config().network.get(i).mac)) {
                throw new LibraryException("use the mac command to change MAC addresses");
            }
        }
        return save(current, edited);
    }

    /** Gives one adapter a new generated address, unique in the library and different from the current one. */
    public VmEntry regenerateMac(VmEntry vm, int adapterIndex) throws IOException, LibraryException {
        return change(() -> {
            VmEntry current = requireSettled(vm);
            NicConfig nic = adapter(current, adapterIndex);
            try (VmLock _ = VmLock.acquire(current.folder(), current.name(), "edit")) {
                VmConfig edited = ConfigStore.copy(current.config());
                MacAddress previous = nic.mac;
                NicConfig target = edited.network.get(adapterIndex);
                target.mac = macs.allocate(edited.uuid, current.folder(), adapterIndex, previous);
                target.macGenerated = true;
                VmEntry saved = save(current, edited);
                new VmLog(current.folder()).nic("adapter " + adapterIndex + " MAC regenerated: " + previous + " -> " + target.mac);
                return saved;
            }
        });
    }

    /** Sets an address by hand; it must be unicast and unused by any other adapter of the library. */
    public VmEntry setMac(VmEntry vm, int adapterIndex, MacAddress address) throws IOException, LibraryException {
        if (address.isMulticast()) {
            throw new LibraryException(address + " is a multicast address; an adapter needs a unicast address"
                    + " (even first octet)");
        }
        return change(() -> {
            VmEntry current = requireSettled(vm);
            adapter(current, adapterIndex);
            if (macs.usedByOther(address, current.folder(), adapterIndex)) {
                throw new LibraryException(address + " is already used by " + describeOwners(address));
            }
            try (VmLock _ = VmLock.acquire(current.folder(), current.name(), "edit")) {
                VmConfig edited = ConfigStore.copy(current.config());
                NicConfig target = edited.network.get(adapterIndex);
                MacAddress previous = target.mac;
                target.mac = address;
                target.macGenerated = false;
                VmEntry saved = save(current, edited);
                new VmLog(current.folder()).nic("adapter " + adapterIndex + " MAC set by hand: " + previous + " -> " + address);
                return saved;
            }
        });
    }

    /**
     * A full copy of {@code source} named {@code newName}: disks are copied (sparse) into the new
     * folder, the clone gets a new UUID and new MAC addresses, and the source is left untouched.
     */
    public VmEntry clone(VmEntry source, String newName) throws IOException, LibraryException {
        requireValidName(newName);
        return change(() -> {
            VmEntry current = requireSettled(source);
            requireFreeName(newName, null);
            Path target = root.resolve(newName);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new LibraryException("the folder " + target + " already exists; choose another name");
            }
            try (VmLock _ = VmLock.acquire(current.folder(), current.name(), "clone")) {
                Files.createDirectory(target);
                try {
                    copyFolder(current.folder(), target, current.configFile());
                    VmConfig config = ConfigStore.copy(current.config());
                    config.uuid = UUID.randomUUID();
                    config.name = newName;
                    config.location = target.toString();
                    // A clone never shares a disk: images outside the folder, or linked into it, are copied too.
                    for (DiskConfig disk : config.disks) {
                        Path image = VmConfig.resolve(current.folder(), disk.path);
                        if (!image.startsWith(current.folder())) {
                            Path copy = uniqueFile(target, image.getFileName().toString());
                            SparseFiles.copy(image, copy);
                            disk.path = VmConfig.storedPath(target, copy);
                        } else if (Files.isSymbolicLink(image)) {
                            Path copiedLink = target.resolve(current.folder().relativize(image));
                            Files.delete(copiedLink);
                            SparseFiles.copy(image, copiedLink);
                        }
                    }
                    for (int i = 0; i < config.network.size(); i++) {
                        NicConfig nic = config.network.get(i);
                        nic.mac = macs.allocate(config.uuid, target, i, null);
                        nic.macGenerated = true;
                    }
                    writeConfig(target.resolve(VmConfig.fileName(newName)), config);
                    new VmLog(target).config("cloned from " + current.name() + " (" + current.folder() + ")");
                    return store(readEntry(target));
                } catch (IOException | LibraryException | RuntimeException e) {
                    deleteTree(target);
                    throw e;
                }
            }
        });
    }

    /** Renames the VM, its config file, and its folder when the folder is the library's {@code <name>} folder. */
    public VmEntry rename(VmEntry vm, String newName) throws IOException, LibraryException {
        requireValidName(newName);
        return change(() -> {
            VmEntry current = requireSettled(vm);
            requireFreeName(newName, current.folder());
            Path folder = current.folder();
            boolean moveFolder = folder.getParent().equals(root)
                    && folder.getFileName().toString().equals(current.config().name);
            Path newFolder = moveFolder ? root.resolve(newName) : folder;
            if (moveFolder && Files.exists(newFolder, LinkOption.NOFOLLOW_LINKS)) {
                throw new LibraryException("the folder " + newFolder + " already exists; choose another name");
            }
            try (VmLock _ = VmLock.acquire(folder, current.name(), "rename")) {
                if (moveFolder) {
                    Files.move(folder, newFolder, StandardCopyOption.ATOMIC_MOVE);
                }
                VmConfig edited = ConfigStore.copy(current.config());
                String oldName = edited.name;
                edited.name = newName;
                edited.location = newFolder.toString();
                Path oldFile = newFolder.resolve(current.configFile().getFileName());
                Path newFile = newFolder.resolve(VmConfig.fileName(newName));
                writeConfig(newFile, edited);
                if (!oldFile.equals(newFile)) {
                    Files.delete(oldFile);
                }
                new VmLog(newFolder).config("renamed from " + oldName);
            }
            forget(folder);
            if (!moveFolder) {
                return store(readEntry(folder));
            }
            replaceRegistered(folder, newFolder);
            return store(readEntry(newFolder));
        });
    }

    /**
     * Deletes the VM folder and everything in it. Files outside the folder (an ISO, a disk image
     * kept elsewhere, the target of a symbolic link) are never touched.
     */
    public void delete(VmEntry vm) throws IOException, LibraryException {
        change(() -> {
            VmEntry current = entries.get(vm.folder());
            if (current == null) {
                throw new LibraryException("the VM folder " + vm.folder() + " is no longer in the library");
            }
            Path folder = current.folder();
            if (root.startsWith(folder)) {
                throw new LibraryException("refusing to delete " + folder + ": it holds the library itself");
            }
            if (!folder.getParent().equals(root) && current.configFile() == null && Files.isDirectory(folder)) {
                throw new LibraryException("refusing to delete " + folder + ": it holds no VM configuration, so it"
                        + " may not be a VM folder; put its config back, or delete the folder yourself");
            }
            if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                try (VmLock _ = VmLock.acquire(folder, current.name(), "delete")) {
                    deleteContents(folder);
                }
                Files.deleteIfExists(folder.resolve(VmLock.FILE_NAME));
                Files.delete(folder);
            }
            forget(folder);
            registered.remove(folder);
            return null;
        });
    }

    /**
     * Registers an existing VM folder (or settles one of the library's own folders that was moved
     * or copied by hand).
     *
     * @param answer  how the folder got here, when that is ambiguous; null asks the question (by
     *                throwing {@link MovedOrCopiedException}) only if it is
     * @param newName a name for the VM when its own name is taken; may be null
     */
    public ImportResult importFolder(Path dir, ImportAnswer answer, String newName) throws IOException, LibraryException {
        Path folder = dir.toAbsolutePath().normalize();
        if (newName != null) {
            requireValidName(newName);
        }
        return change(() -> {
            if (!folder.getParent().equals(root) && indexProblem != null) {
                throw new LibraryException(indexProblem);
            }
            VmEntry found = readEntry(folder);
            if (!found.isReadable()) {
                throw new LibraryException(found.errorMessage());
            }
            if (entries.containsKey(folder) && found.relocation() == VmEntry.Relocation.IN_PLACE
                    && (newName == null || newName.equals(found.config().name))) {
                return new ImportResult(store(found), "already in the library", List.of());
            }
            String name = newName != null ? newName : found.config().name;
            requireFreeName(name, folder);
            ImportAnswer decided = answer;
            if (found.relocation() == VmEntry.Relocation.MOVED_OR_COPIED && decided == null) {
                throw new MovedOrCopiedException(found.config().name, folder, found.savedLocation());
            }
            if (decided == null) {
                decided = ImportAnswer.MOVED;
            }
            String note;
            try (VmLock _ = VmLock.acquire(folder, found.name(), "import")) {
                VmConfig config = ConfigStore.copy(found.config());
                config.name = name;
                config.location = folder.toString();
                if (decided == ImportAnswer.COPIED) {
                    config.uuid = UUID.randomUUID();
                    forget(folder);
                    for (int i = 0; i < config.network.size(); i++) {
                        NicConfig nic = config.network.get(i);
                        if (nic.macGenerated) {
                            nic.mac = macs.allocate(config.uuid, folder, i, nic.mac);
                        }
                    }
                    note = "copied: new UUID " + config.uuid + " and new generated MAC addresses";
                } else {
                    note = "moved: UUID and MAC addresses kept";
                }
                Path newFile = folder.resolve(VmConfig.fileName(name));
                writeConfig(newFile, config);
                if (!newFile.equals(found.configFile())) {
                    Files.delete(found.configFile());
                }
                new VmLog(folder).config("imported (" + note + ")");
            }
            if (!folder.getParent().equals(root) && !registered.contains(folder)) {
                registered.add(folder);
            }
            VmEntry entry = store(readEntry(folder));
            List<MacRegistry.Duplicate> clashes = new ArrayList<>();
            for (MacRegistry.Duplicate duplicate : macs.duplicates()) {
                if (duplicate.owners().stream().anyMatch(owner -> owner.vmFolder().equals(folder))) {
                    clashes.add(duplicate);
                }
            }
            return new ImportResult(entry, note, clashes);
        });
    }

    /**
     * Locks a VM for running it: refused when it runs already, is being edited, or cannot run
     * (config error, missing disk, moved-or-copied question open).
     */
    public VmLock lockForRun(VmEntry vm) throws IOException, LibraryException {
        VmEntry current;
        synchronized (this) {
            current = requireSettled(vm);
        }
        if (!current.problems().isEmpty()) {
            throw new LibraryException(current.name() + " cannot run: " + String.join("; ", current.problems()));
        }
        return VmLock.acquire(current.folder(), current.name(), "run");
    }

    /** Who describes the adapters using an address, for messages. */
    public synchronized String describeOwners(MacAddress address) {
        StringBuilder text = new StringBuilder();
        for (MacRegistry.Owner owner : macs.owners(address)) {
            text.append(text.isEmpty() ? "" : ", ").append(owner.vmName()).append(" (").append(owner.vmFolder())
                    .append(", adapter ").append(owner.adapterIndex()).append(')');
        }
        return text.toString();
    }

    /**
     * Runs a change under the library lock. The lock file holds a generation number that every
     * change increments: when it is not the one this object last saw, another process changed the
     * library and it is read again first.
     */
    private synchronized <T> T change(Change<T> body) throws IOException, LibraryException {
        ReentrantLock inThisJvm = JVM_LOCKS.computeIfAbsent(root, folder -> new ReentrantLock());
        inThisJvm.lock();
        try (FileChannel channel = FileChannel.open(root.resolve(LIBRARY_LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock _ = channel.lock()) {
            long current = generation(channel);
            if (current != generation) {
                rescan(readIndex(), current);
            }
            List<Path> registeredBefore = List.copyOf(registered);
            T result = body.apply();
            if (!registered.equals(registeredBefore)) {
                writeIndex(new Index(1, registered.stream().map(Path::toString).toList()));
            }
            generation = current + 1;
            channel.write(ByteBuffer.allocate(Long.BYTES).putLong(0, generation), 0);
            if (sync) {
                channel.force(false);
            }
            return result;
        } finally {
            inThisJvm.unlock();
        }
    }

    private static long generation(FileChannel lockFile) throws IOException {
        ByteBuffer stored = ByteBuffer.allocate(Long.BYTES);
        return lockFile.read(stored, 0) == Long.BYTES ? stored.flip().getLong() : 0;
    }

    /** The generation without taking the lock; -1 (never current) when the lock file cannot be read. */
    private long readGeneration() {
        try (FileChannel channel = FileChannel.open(root.resolve(LIBRARY_LOCK_FILE), StandardOpenOption.READ)) {
            return generation(channel);
        } catch (IOException e) {
            return -1;
        }
    }

    private Index readIndex() throws IOException {
        Path file = root.resolve(INDEX_FILE);
        indexProblem = null;
        try {
            Index index = INDEX_MAPPER.readValue(Files.readAllBytes(file), Index.class);
            return index.registered() == null ? new Index(index.formatVersion(), List.of()) : index;
        } catch (NoSuchFileException e) {
            return new Index(1, List.of());
        } catch (JsonProcessingException e) {
            indexProblem = file + ": not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("")
                    + "); the VM folders it registers outside the library are not listed until it is fixed"
                    + " or deleted and the folders imported again";
            return new Index(1, List.of());
        }
    }

    private void writeIndex(Index index) throws IOException {
        AtomicFile.write(root.resolve(INDEX_FILE), INDEX_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(index),
                sync);
    }

    private void rescan(Index index, long seenGeneration) throws IOException {
        entries.clear();
        foldersByName.clear();
        registered.clear();
        macs = new MacRegistry();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                if (!child.getFileName().toString().startsWith(".")
                        && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    store(readEntry(child));
                }
            }
        }
        for (String folder : index.registered()) {
            Path path = root.getFileSystem().getPath(folder);
            registered.add(path);
            store(readEntry(path));
        }
        generation = seenGeneration;
    }

    private VmEntry store(VmEntry entry) {
        forget(entry.folder());
        entries.put(entry.folder(), entry);
        if (entry.isReadable()) {
            foldersByName.computeIfAbsent(entry.config().name, name -> new ArrayList<>(1)).add(entry.folder());
            List<NicConfig> network = entry.config().network;
            for (int i = 0; i < network.size(); i++) {
                macs.register(network.get(i).mac, new MacRegistry.Owner(entry.folder(), entry.config().name, i));
            }
        }
        return entry;
    }

    private void forget(Path folder) {
        VmEntry forgotten = entries.remove(folder);
        if (forgotten != null) {
            macs.unregister(folder);
            if (forgotten.isReadable()) {
                List<Path> folders = foldersByName.get(forgotten.config().name);
                folders.remove(folder);
                if (folders.isEmpty()) {
                    foldersByName.remove(forgotten.config().name);
                }
            }
        }
    }

    private void replaceRegistered(Path oldFolder, Path newFolder) {
        int at = registered.indexOf(oldFolder);
        if (at >= 0) {
            registered.set(at, newFolder);
        }
    }

    /** Reads one VM folder; never throws for what is in the folder, only records it in the entry. */
    static VmEntry readEntry(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return broken(folder, null, "VM folder not found");
        }
        List<Path> configs = configFiles(folder);
        if (configs.isEmpty()) {
            return broken(folder, null, "no VM configuration (*" + VmConfig.FILE_SUFFIX + ") in this folder");
        }
        if (configs.size() > 1) {
            return broken(folder, null, "several VM configurations (" + fileNames(configs)
                    + "); a VM folder holds exactly one, move the others away");
        }
        Path file = configs.getFirst();
        VmConfig config;
        try {
            config = ConfigStore.read(file);
        } catch (ConfigException e) {
            return new VmEntry(folder, file, null, e, List.of(), VmEntry.Relocation.IN_PLACE);
        }
        return new VmEntry(folder, file, config, null, problems(folder, config), relocation(folder, config));
    }

    private static VmEntry broken(Path folder, Path file, String problem) {
        return new VmEntry(folder, file, null, new ConfigException(folder, null, problem), List.of(),
                VmEntry.Relocation.IN_PLACE);
    }

    private static List<Path> configFiles(Path folder) throws IOException {
        List<Path> configs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + VmConfig.FILE_SUFFIX)) {
            for (Path file : files) {
                if (!AtomicFile.isTemporary(file) && Files.isRegularFile(file)) {
                    configs.add(file);
                }
            }
        }
        configs.sort(null);
        return configs;
    }

    private static String fileNames(Collection<Path> files) {
        StringBuilder names = new StringBuilder();
        files.forEach(file -> names.append(names.isEmpty() ? "" : ", ").append(file.getFileName()));
        return names.toString();
    }

    private static List<String> problems(Path folder, VmConfig config) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.disks.size(); i++) {
            Path image = VmConfig.resolve(folder, config.disks.get(i).path);
            if (!Files.isRegularFile(image)) {
                problems.add("disk image not found: " + image + " (disks[" + i + "].path)");
            }
        }
        if (config.cdrom.iso != null && config.cdrom.connectAtPowerOn) {
            Path iso = VmConfig.resolve(folder, config.cdrom.iso);
            if (!Files.isRegularFile(iso)) {
                problems.add("ISO image not found: " + iso + " (cdrom.iso; eject it or insert another)");
            }
        }
        return List.copyOf(problems);
    }

    /**
     * Compares where the config was saved with where it is. Gone from there: moved. Still there
     * (same UUID): the folder was copied, or moved and restored from a backup; only the user knows.
     */
    private static VmEntry.Relocation relocation(Path folder, VmConfig config) throws IOException {
        Path previous = config.location == null ? folder : folder.getFileSystem().getPath(config.location);
        // The same folder reached through a symbolic link (a library opened by another path) is in place.
        if (previous.equals(folder) || Files.isDirectory(previous) && Files.isSameFile(previous, folder)) {
            return VmEntry.Relocation.IN_PLACE;
        }
        if (Files.isDirectory(previous)) {
            for (Path other : configFiles(previous)) {
                try {
                    if (ConfigStore.read(other).uuid.equals(config.uuid)) {
                        return VmEntry.Relocation.MOVED_OR_COPIED;
                    }
                } catch (ConfigException e) {
                    // An unreadable config at the old place is not the same VM.
                }
            }
        }
        return VmEntry.Relocation.MOVED;
    }

    private VmEntry requireSettled(VmEntry vm) throws LibraryException {
        VmEntry current = entries.get(vm.folder());
        if (current == null) {
            throw new LibraryException("the VM folder " + vm.folder() + " is no longer in the library");
        }
        if (!current.isReadable()) {
            throw new LibraryException(current.errorMessage());
        }
        if (current.relocation() == VmEntry.Relocation.MOVED_OR_COPIED) {
            throw new MovedOrCopiedException(current.name(), current.folder(), current.savedLocation());
        }
        return current;
    }

    private VmEntry save(VmEntry current, VmConfig edited) throws IOException, LibraryException {
        edited.location = current.folder().toString();
        writeConfig(current.configFile(), edited);
        return store(readEntry(current.folder()));
    }

    /** Validates and saves atomically; a value the user chose that breaks a rule is reported with its field. */
    private void writeConfig(Path file, VmConfig config) throws IOException, LibraryException {
        try {
            ConfigStore.write(file, config, sync);
        } catch (ConfigException e) {
            throw new LibraryException(e.getMessage());
        }
    }

    private static NicConfig adapter(VmEntry vm, int index) throws LibraryException {
        List<NicConfig> network = vm.config().network;
        if (index < 0 || index >= network.size()) {
            throw new LibraryException(vm.name() + " has no network adapter " + index + " (it has " + network.size() + ")");
        }
        return network.get(index);
    }

    private static void requireValidName(String name) throws LibraryException {
        if (!VmConfig.isValidName(name)) {
            throw new LibraryException("\"" + name + "\" is not a valid VM name (1 to 64 letters, digits,"
                    + " spaces, '.', '_' or '-', starting with a letter or digit)");
        }
    }

    private void requireFreeName(String name, Path exceptFolder) throws LibraryException {
        for (Path folder : foldersByName.getOrDefault(name, List.of())) {
            if (!folder.equals(exceptFolder)) {
                throw new LibraryException("a VM named \"" + name + "\" already exists (" + folder + ")");
            }
        }
    }

    private static Path uniqueFile(Path folder, String fileName) {
        Path candidate = folder.resolve(fileName);
        for (int suffix = 2; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); suffix++) {
            candidate = folder.resolve(suffix + "-" + fileName);
        }
        return candidate;
    }

    /** Copies a VM folder for a clone: everything but the config, the lock, the log and crashed saves. */
    private static void copyFolder(Path source, Path target, Path sourceConfig) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (!dir.equals(source)) {
                    Files.createDirectory(target.resolve(source.relativize(dir)));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String name = file.getFileName().toString();
                boolean skip = file.equals(sourceConfig) || name.equals(VmLock.FILE_NAME)
                        || name.startsWith(VmLog.FILE_NAME) || AtomicFile.isTemporary(file);
                Path copy = target.resolve(source.relativize(file));
                if (skip) {
                    return FileVisitResult.CONTINUE;
                }
                if (attributes.isSymbolicLink()) {
                    Files.copy(file, copy, LinkOption.NOFOLLOW_LINKS);
                } else if (attributes.isRegularFile()) {
                    SparseFiles.copy(file, copy);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes everything inside {@code folder} but its lock file; links are removed, never followed. */
    private static void deleteContents(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!file.startsWith(folder)) {
                    throw new IllegalStateException("walked out of " + folder + " to " + file);
                }
                if (!file.getParent().equals(folder) || !file.getFileName().toString().equals(VmLock.FILE_NAME)) {
                    Files.delete(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                if (!dir.equals(folder)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Removes a folder this library was creating when the creation failed. */
    private static void deleteTree(Path folder) throws IOException {
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            deleteContents(folder);
            Files.deleteIfExists(folder.resolve(VmLock.FILE_NAME));
            Files.delete(folder);
        }
    }
}
