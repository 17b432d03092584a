package org.vstation.ui;

import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/** What the app remembers between runs: the window's size and the selected VM (java.util.prefs). */
public final class AppPreferences {
    private static final String WIDTH = "window.width";
    private static final String HEIGHT = "window.height";
    private static final String MAXIMIZED = "window.maximized";
    private static final String SELECTED = "library.selected";
    private static final String FIRST_RUN_OFFERED = "firstRun.demoOffered";

    private final Preferences node;

    public AppPreferences(Preferences node) {
        this.node = node;
    }

    public static AppPreferences ofUser() {
        return new AppPreferences(Preferences.userRoot().node("org/vstation/ui"));
    }

    public double width() {
        return node.getDouble(WIDTH, 1180);
    }

    public double height() {
        return node.getDouble(HEIGHT, 760);
    }

    public boolean maximized() {
        return node.getBoolean(MAXIMIZED, false);
    }

    public void saveWindow(double width, double height, boolean maximized) {
        save(() -> {
            node.putDouble(WIDTH, width);
            node.putDouble(HEIGHT, height);
            node.putBoolean(MAXIMIZED, maximized);
        });
    }

    /** The folder of the VM selected last, or null. */
    public String selectedVm() {
        return node.get(SELECTED, null);
    }

    public void saveSelectedVm(String folder) {
        save(() -> {
            if (folder == null) {
                node.remove(SELECTED);
            } else {
                node.put(SELECTED, folder);
            }
        });
    }

    public boolean demoOffered() {
        return node.getBoolean(FIRST_RUN_OFFERED, false);
    }

    public void saveDemoOffered() {
        save(() -> node.putBoolean(FIRST_RUN_OFFERED, true));
    }

    /** Preferences are a convenience: the app works on when they cannot be stored (or were removed). */
    private void save(Runnable change) {
        try {
            change.run();
            node.flush();
        } catch (BackingStoreException | IllegalStateException e) {
            // nothing to do: the next run starts with defaults
        }
    }
}
