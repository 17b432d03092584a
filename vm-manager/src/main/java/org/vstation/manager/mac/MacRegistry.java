package org.vstation.manager.mac;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every adapter address of a library, by address, so that a new address is checked against all
 * VMs at once and duplicates (a folder copied by hand, an imported VM) can be reported.
 */
public final class MacRegistry {

    /** One adapter of one VM; the folder identifies the VM because a hand copy shares its UUID. */
    public record Owner(Path vmFolder, String vmName, int adapterIndex) {
    }

    /** An address used by more than one adapter. */
    public record Duplicate(MacAddress address, List<Owner> owners) {
    }

    private final Map<MacAddress, List<Owner>> owners = new HashMap<>();
    private final Map<Path, List<MacAddress>> addressesByFolder = new HashMap<>();

    public synchronized void register(MacAddress address, Owner owner) {
        owners.computeIfAbsent(address, key -> new ArrayList<>(1)).add(owner);
        addressesByFolder.computeIfAbsent(owner.vmFolder(), key -> new ArrayList<>(1)).add(address);
    }

    /** Forgets every adapter of the VM in this folder. */
    public synchronized void unregister(Path vmFolder) {
        List<MacAddress> addresses = addressesByFolder.remove(vmFolder);
        if (addresses == null) {
            return;
        }
        for (MacAddress address : addresses) {
            List<Owner> users = owners.get(address);
            users.removeIf(owner -> owner.vmFolder().equals(vmFolder));
            if (users.isEmpty()) {
                owners.remove(address);
            }
        }
    }

    /** Whether an adapter other than (vmFolder, adapterIndex) uses this address. */
    public synchronized boolean usedByOther(MacAddress address, Path vmFolder, int adapterIndex) {
        List<Owner> users = owners.get(address);
        if (users == null) {
            return false;
        }
        for (Owner owner : users) {
            if (!owner.vmFolder().equals(vmFolder) || owner.adapterIndex() != adapterIndex) {
                return true;
            }
        }
        return false;
    }

    public synchronized List<Owner> owners(MacAddress address) {
        return List.copyOf(owners.getOrDefault(address, List.of()));
    }

    /**
     * A generated address for this adapter that no other adapter uses and that differs from
     * {@code avoid} (the current address when regenerating; may be null).
     */
    public synchronized MacAddress allocate(UUID vmUuid, Path vmFolder, int adapterIndex, MacAddress avoid) {
        return MacGenerator.generate(vmUuid, adapterIndex,
                candidate -> candidate.equals(avoid) || usedByOther(candidate, vmFolder, adapterIndex));
    }

    public synchronized List<Duplicate> duplicates() {
        List<Duplicate> found = new ArrayList<>();
        owners.forEach((address, users) -> {
            if (users.size() > 1) {
                found.add(new Duplicate(address, List.copyOf(users)));
            }
        });
        found.sort((a, b) -> Long.compare(a.address().value(), b.address().value()));
        return found;
    }

    public synchronized int size() {
        return owners.values().stream().mapToInt(List::size).sum();
    }
}
