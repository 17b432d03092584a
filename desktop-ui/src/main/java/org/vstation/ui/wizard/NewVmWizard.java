package org.vstation.ui.wizard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.vstation.manager.config.DiskConfig;
import org.vstation.manager.config.DiskFormat;
import org.vstation.manager.config.GuestOs;
import org.vstation.manager.config.NicMode;
import org.vstation.manager.config.VmConfig;
import org.vstation.manager.library.LibraryException;
import org.vstation.manager.library.NewVm;
import org.vstation.manager.library.VmEntry;
import org.vstation.manager.library.VmLibrary;
import org.vstation.ui.Labels;

/**
 * The New VM wizard: name and guest OS, memory, hard disk, install media, network. Finishing
 * writes the VM through the library; if any part fails, what was created is deleted again, and
 * cancelling creates nothing.
 */
public final class NewVmWizard {
    public static final int MIN_MEMORY_MB = 16;
    /** The machine's limit, on the slider's 4 MB steps. */
    public static final int MAX_MEMORY_MB = VmConfig.MAX_MEMORY_MB / 4 * 4;
    public static final List<String> PAGE_TITLES = List.of("Name and operating system", "Memory", "Hard disk",
            "Installation media", "Network");

    private final VmLibrary library;
    private final TextField name = new TextField();
    private final ComboBox<GuestOs> guestOs = new ComboBox<>();
    private final Slider memory = new Slider(MIN_MEMORY_MB, MAX_MEMORY_MB, 256);
    private final Label memoryValue = new Label();
    private final ToggleGroup diskChoice = new ToggleGroup();
    private final RadioButton diskNew = new RadioButton("Create a new disk");
    private final RadioButton diskExisting = new RadioButton("Use an existing disk image");
    private final RadioButton diskNone = new RadioButton("No hard disk");
    private final Spinner<Integer> diskGigabytes = new Spinner<>(1, 2048, 8);
    private final TextField diskPath = new TextField();
    private final ToggleGroup mediaChoice = new ToggleGroup();
    private final RadioButton mediaIso = new RadioButton("ISO image file");
    private final RadioButton mediaEmpty = new RadioButton("Leave the CD/DVD drive empty");
    private final TextField isoPath = new TextField();
    private final ComboBox<NicMode> nicMode = new ComboBox<>();
    private final Label problem = new Label();
    private final List<Node> pages;
    private final StackPane pageHolder = new StackPane();
    private final Label pageTitle = new Label();
    private final ReadOnlyIntegerWrapper page = new ReadOnlyIntegerWrapper(0);

    public NewVmWizard(VmLibrary library) {
        this.library = library;
        name.setPromptText("e.g. Debian 12");
        guestOs.getItems().setAll(GuestOs.values());
        guestOs.setConverter(Labels.converter(Labels::guestOs));
        guestOs.setValue(GuestOs.LINUX);
        guestOs.valueProperty().addListener((observable, was, os) -> memory.setValue(recommendedMemory(os)));
        memory.setMajorTickUnit(512);
        memory.setMinorTickCount(3);
        memory.setShowTickMarks(true);
        memory.setShowTickLabels(true);
        memory.setBlockIncrement(16);
        memory.setPrefWidth(420);
        memory.valueProperty().addListener((observable, was, now) -> {
            int rounded = Math.round(now.floatValue() / 4) * 4;
            if (rounded != now.intValue()) {
                memory.setValue(rounded);
            }
            memoryValue.setText(rounded + " MB");
        });
        memoryValue.setText("256 MB");
        diskNew.setToggleGroup(diskChoice);
        diskExisting.setToggleGroup(diskChoice);
        diskNone.setToggleGroup(diskChoice);
        diskNew.setSelected(true);
        diskGigabytes.setEditable(true);
        diskGigabytes.disableProperty().bind(diskNew.selectedProperty().not());
        diskPath.disableProperty().bind(diskExisting.selectedProperty().not());
        mediaIso.setToggleGroup(mediaChoice);
        mediaEmpty.setToggleGroup(mediaChoice);
        mediaEmpty.setSelected(true);
        isoPath.disableProperty().bind(mediaIso.selectedProperty().not());
        nicMode.getItems().setAll(NicMode.NAT, NicMode.HOST_ONLY, NicMode.NONE);
        nicMode.setConverter(Labels.converter(Labels::nicMode));
        nicMode.setValue(NicMode.NAT);
        problem.getStyleClass().add("danger");
        problem.setWrapText(true);
        problem.setStyle("-fx-text-fill: -color-danger-fg;");
        pageTitle.setStyle("-fx-font-size: 16px; -fx-font-weight: bold;");
        pages = List.of(namePage(), memoryPage(), diskPage(), mediaPage(), networkPage());
        showPage(0);
        name.textProperty().addListener((observable, was, now) -> problem.setText(""));
    }

    private static int recommendedMemory(GuestOs os) {
        return switch (os) {
            case DOS -> 16;
            case LINUX, BSD -> 256;
            case WINDOWS -> 512;
            case OTHER -> 128;
        };
    }

    private Node namePage() {
        GridPane grid = form();
        grid.addRow(0, new Label("Name:"), name);
        grid.addRow(1, new Label("Guest operating system:"), guestOs);
        return grid;
    }

    private Node memoryPage() {
        return new VBox(10, new Label("How much memory the guest sees (" + MIN_MEMORY_MB + " MB to " + MAX_MEMORY_MB
                + " MB):"), new HBox(12, memory, memoryValue));
    }

    private Node diskPage() {
        Button browse = new Button("Browse...");
        browse.disableProperty().bind(diskExisting.selectedProperty().not());
        browse.setOnAction(event -> choose(diskPath, "Disk image", "*.img", "*.raw"));
        return new VBox(10, diskNew, new HBox(8, new Label("    Size (GB):"), diskGigabytes,
                new Label("allocated as the guest writes")),
                diskExisting, new HBox(8, new Label("    "), diskPath, browse), diskNone);
    }

    private Node mediaPage() {
        Button browse = new Button("Browse...");
        browse.disableProperty().bind(mediaIso.selectedProperty().not());
        browse.setOnAction(event -> choose(isoPath, "ISO image", "*.iso"));
        isoPath.setPrefColumnCount(30);
        return new VBox(10, new Label("The CD/DVD to install the guest from:"), mediaIso,
                new HBox(8, new Label("    "), isoPath, browse), mediaEmpty);
    }

    private Node networkPage() {
        GridPane grid = form();
        grid.addRow(0, new Label("Network adapter:"), nicMode);
        Label hint = new Label("NAT: the guest reaches out through the host; nothing outside sees it.\n"
                + "Host-only: a private network of this host and its VMs.\n"
                + "Bridged needs a host bridge; choose it later in Settings.");
        grid.add(hint, 0, 1, 2, 1);
        return grid;
    }

    private static GridPane form() {
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        return grid;
    }

    private void choose(TextField target, String description, String... patterns) {
        FileChooser chooser = new FileChooser();
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(description, patterns));
        java.io.File file = chooser.showOpenDialog(target.getScene().getWindow());
        if (file != null) {
            target.setText(file.getAbsolutePath());
        }
    }

    private void showPage(int index) {
        page.set(index);
        pageTitle.setText("Step " + (index + 1) + " of " + pages.size() + ": " + PAGE_TITLES.get(index));
        pageHolder.getChildren().setAll(pages.get(index));
        problem.setText("");
    }

    /** Goes to the next page if this one is filled in correctly; false (with the reason shown) otherwise. */
    public boolean next() {
        String trouble = problemOnPage(page.get());
        problem.setText(trouble == null ? "" : trouble);
        if (trouble != null || page.get() == pages.size() - 1) {
            return false;
        }
        showPage(page.get() + 1);
        return true;
    }

    public void back() {
        if (page.get() > 0) {
            showPage(page.get() - 1);
        }
    }

    public ReadOnlyIntegerProperty pageProperty() {
        return page.getReadOnlyProperty();
    }

    public int pageCount() {
        return pages.size();
    }

    /** Why this page cannot be left yet, or null. */
    String problemOnPage(int index) {
        return switch (index) {
            case 0 -> {
                String text = name.getText().strip();
                if (text.isEmpty()) {
                    yield "Give the VM a name.";
                }
                if (!VmConfig.isValidName(text)) {
                    yield "Use 1 to 64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.";
                }
                boolean taken = library.entries().stream().anyMatch(entry -> text.equalsIgnoreCase(entry.name()))
                        || Files.exists(library.root().resolve(text));
                yield taken ? "A VM named \"" + text + "\" already exists." : null;
            }
            case 2 -> {
                if (diskExisting.isSelected() && !Files.isRegularFile(Path.of(diskPath.getText().strip()))) {
                    yield "Choose an existing disk image file.";
                }
                if (diskNew.isSelected() && (diskGigabytes.getValue() == null || diskGigabytes.getValue() < 1)) {
                    yield "The disk needs at least 1 GB.";
                }
                yield null;
            }
            case 3 -> mediaIso.isSelected() && !Files.isRegularFile(Path.of(isoPath.getText().strip()))
                    ? "Choose an existing ISO file, or leave the drive empty." : null;
            default -> null;
        };
    }

    /**
     * Creates the VM. Every page is checked again first; a failure after the library created the
     * folder deletes it, so no half-made VM is left behind.
     */
    public VmEntry finish() throws IOException, LibraryException {
        for (int index = 0; index < pages.size(); index++) {
            String trouble = problemOnPage(index);
            if (trouble != null) {
                showPage(index);
                problem.setText(trouble);
                throw new LibraryException(trouble);
            }
        }
        NewVm spec = NewVm.withDefaults(name.getText().strip())
                .withGuestOs(guestOs.getValue())
                .withMemoryMb((int) memory.getValue())
                .withDiskSizeBytes(diskNew.isSelected() ? (long) diskGigabytes.getValue() << 30 : 0)
                .withIso(mediaIso.isSelected() ? Path.of(isoPath.getText().strip()) : null)
                .withNicMode(nicMode.getValue());
        VmEntry created = library.create(spec);
        if (!diskExisting.isSelected()) {
            return created;
        }
        try {
            Path image = Path.of(diskPath.getText().strip()).toAbsolutePath();
            long size = Files.size(image) / VmConfig.SECTOR_SIZE * VmConfig.SECTOR_SIZE;
            if (size == 0) {
                throw new LibraryException(image + " is smaller than one sector; it is not a disk image");
            }
            return library.update(created, config -> {
                config.disks.add(new DiskConfig(VmConfig.storedPath(created.folder(), image), size, DiskFormat.RAW));
                return config;
            });
        } catch (IOException | LibraryException | RuntimeException e) {
            library.delete(created);
            throw e;
        }
    }

    /** The wizard as a dialog with Back, Next, Finish and Cancel; its result is the created VM. */
    public Dialog<VmEntry> dialog(Window owner) {
        Dialog<VmEntry> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("New Virtual Machine");
        ButtonType backType = new ButtonType("< Back", ButtonBar.ButtonData.BACK_PREVIOUS);
        ButtonType nextType = new ButtonType("Next >", ButtonBar.ButtonData.NEXT_FORWARD);
        ButtonType finishType = new ButtonType("Finish", ButtonBar.ButtonData.FINISH);
        dialog.getDialogPane().getButtonTypes().addAll(backType, nextType, finishType, ButtonType.CANCEL);
        VBox content = new VBox(14, pageTitle, pageHolder, problem);
        content.setPadding(new Insets(6));
        content.setPrefSize(620, 300);
        dialog.getDialogPane().setContent(content);
        Button back = (Button) dialog.getDialogPane().lookupButton(backType);
        Button nextButton = (Button) dialog.getDialogPane().lookupButton(nextType);
        Button finishButton = (Button) dialog.getDialogPane().lookupButton(finishType);
        back.disableProperty().bind(page.isEqualTo(0));
        nextButton.disableProperty().bind(page.isEqualTo(pages.size() - 1));
        back.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            back();
        });
        nextButton.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            next();
        });
        VmEntry[] created = new VmEntry[1];
        finishButton.addEventFilter(ActionEvent.ACTION, event -> {
            try {
                created[0] = finish();
            } catch (IOException | LibraryException e) {
                problem.setText("The VM could not be created: " + e.getMessage());
                event.consume();
            }
        });
        dialog.setResultConverter(type -> type == finishType ? created[0] : null);
        dialog.setOnShown(event -> name.requestFocus());
        return dialog;
    }

    public TextField nameField() {
        return name;
    }

    public ComboBox<GuestOs> guestOsField() {
        return guestOs;
    }

    public Slider memoryField() {
        return memory;
    }

    public RadioButton newDiskChoice() {
        return diskNew;
    }

    public RadioButton existingDiskChoice() {
        return diskExisting;
    }

    public TextField diskPathField() {
        return diskPath;
    }

    public RadioButton noDiskChoice() {
        return diskNone;
    }

    public Spinner<Integer> diskGigabytesField() {
        return diskGigabytes;
    }

    public RadioButton isoChoice() {
        return mediaIso;
    }

    public TextField isoPathField() {
        return isoPath;
    }

    public ComboBox<NicMode> nicModeField() {
        return nicMode;
    }

    public String problemText() {
        return problem.getText();
    }
}
