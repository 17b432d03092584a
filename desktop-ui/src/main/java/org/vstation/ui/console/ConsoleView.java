package org.vstation.ui.console;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.animation.AnimationTimer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
import javafx.scene.Cursor;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.vstation.devices.Machine;
import org.vstation.devices.display.DisplaySink;
import org.vstation.devices.display.Framebuffer;
import org.vstation.devices.display.LinearScanOut;
import org.vstation.devices.input.KeyCode;
import org.vstation.devices.input.Ps2Mouse;

/**
 * A VM's screen: what the VGA renderer draws, shown through a {@link PixelBuffer} that is updated
 * at most once per frame (60 fps) and only where the guest's picture changed. Keys go to the
 * guest as PS/2 scan codes; a click grabs the mouse, Ctrl+Alt releases it. Before the VM runs
 * (and after it stops) the view shows a "powered off" placeholder, never an old or made-up picture.
 */
public final class ConsoleView extends StackPane {
    private final ImageView view = new ImageView();
    private final Label placeholder = new Label();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    /** Set while the VM thread owes an answer to the last refresh; one per attach, so a dead machine's never blocks. */
    private AtomicBoolean refreshPending = new AtomicBoolean();
    private final AnimationTimer timer;
    private volatile ScreenSink sink;
    private DisplaySink refreshAnswer;
    private Machine machine;
    private PixelBuffer<IntBuffer> pixelBuffer;
    private WritableImage image;
    private boolean fit = true;
    private boolean grabbed;
    private boolean controlDown;
    private boolean altDown;
    private double lastX = Double.NaN;
    private double lastY;
    private long frames;
    private long pixels;

    public ConsoleView() {
        getStyleClass().add("console");
        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                onFrame();
            }
        };
        setStyle("-fx-background-color: black;");
        setMinSize(0, 0);
        setPrefSize(800, 600);
        view.setPreserveRatio(true);
        view.setSmooth(true);
        view.setVisible(false);
        placeholder.setStyle("-fx-text-fill: #c9d1d9; -fx-font-size: 18px;");
        placeholder.setAlignment(Pos.CENTER);
        getChildren().addAll(view, placeholder);
        setFitToWindow(true);
        setFocusTraversable(true);
        showPoweredOff("This virtual machine is powered off.");
        addEventHandler(KeyEvent.KEY_PRESSED, event -> onKey(event, true));
        addEventHandler(KeyEvent.KEY_RELEASED, event -> onKey(event, false));
        addEventHandler(MouseEvent.MOUSE_PRESSED, this::onMouseButton);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::onMouseButton);
        addEventHandler(MouseEvent.MOUSE_MOVED, this::onMouseMoved);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::onMouseMoved);
        addEventHandler(ScrollEvent.SCROLL, event -> {
            if (grabbed && machine != null && event.getDeltaY() != 0) {
                machine.mouseEvent(0, 0, event.getDeltaY() > 0 ? -1 : 1, 0);
            }
        });
    }

    /** Shows this machine's screen from now on (it may not have started yet). */
    public void attach(Machine newMachine) {
        machine = newMachine;
        sink = new ScreenSink();
        refreshPending = new AtomicBoolean();
        refreshAnswer = answerInto(sink, refreshPending);
        pixelBuffer = null;
        frames = 0;
        pixels = 0;
        timer.start();
    }

    /** The VM stopped: back to the placeholder with this text. */
    public void showPoweredOff(String text) {
        timer.stop();
        releaseGrab();
        machine = null;
        sink = null;
        pixelBuffer = null;
        image = null;
        view.setImage(null);
        view.setVisible(false);
        placeholder.setText(text);
        placeholder.setVisible(true);
    }

    public boolean isShowingGuest() {
        return view.isVisible() && image != null;
    }

    /** The picture shown, or null while the placeholder is up. */
    public WritableImage image() {
        return image;
    }

    public long framesShown() {
        return frames;
    }

    /** Pixels updated on screen since {@link #attach}: with {@link #framesShown()}, how much of each frame changed. */
    public long pixelsShown() {
        return pixels;
    }

    /** "Mouse grabbed: press Ctrl+Alt to release" and similar hints for the status bar. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Fit the window (keeping the aspect ratio) or show the guest pixels 1:1. */
    public void setFitToWindow(boolean value) {
        fit = value;
        if (fit) {
            view.fitWidthProperty().bind(widthProperty());
            view.fitHeightProperty().bind(heightProperty());
        } else {
            view.fitWidthProperty().unbind();
            view.fitHeightProperty().unbind();
            view.setFitWidth(0);
            view.setFitHeight(0);
        }
    }

    public boolean isFitToWindow() {
        return fit;
    }

    /** Ctrl+Alt+Del, which the host would otherwise keep for itself. */
    public void sendCtrlAltDel() {
        if (machine != null) {
            machine.keyEvent(KeyCode.LEFT_CONTROL, true);
            machine.keyEvent(KeyCode.LEFT_ALT, true);
            machine.keyEvent(KeyCode.DELETE, true);
            machine.keyEvent(KeyCode.DELETE, false);
            machine.keyEvent(KeyCode.LEFT_ALT, false);
            machine.keyEvent(KeyCode.LEFT_CONTROL, false);
        }
    }

    /**
     * Once per pulse: show the changes of the VM thread's last answer, then ask for a fresh picture.
     * While a refresh is under way the renderer's picture is the VM thread's, so nothing is read.
     */
    private void onFrame() {
        ScreenSink current = sink;
        AtomicBoolean pending = refreshPending;
        if (current == null || machine == null || pending.get() || !onScreen()) {
            return;
        }
        if (current.takeResized() || pixelBuffer == null && current.width() > 0) {
            int width = current.width();
            int height = current.height();
            IntBuffer buffer = ByteBuffer.allocateDirect(width * height * Integer.BYTES)
                    .order(ByteOrder.nativeOrder()).asIntBuffer();
            pixelBuffer = new PixelBuffer<>(width, height, buffer, PixelFormat.getIntArgbPreInstance());
            image = new WritableImage(pixelBuffer);
            view.setImage(image);
            view.setVisible(true);
            placeholder.setVisible(false);
        }
        if (pixelBuffer != null && current.isDirty()) {
            pixelBuffer.updateBuffer(buffer -> {
                Rectangle2D changed = current.drainInto(buffer);
                pixels += (long) (changed.getWidth() * changed.getHeight());
                return changed;
            });
            frames++;
        }
        pending.set(true);
        machine.refreshScreen(refreshAnswer);
    }

    /** Takes the VM thread's answer to a refresh into {@code target}; then the next refresh may be asked for. */
    private static DisplaySink answerInto(ScreenSink target, AtomicBoolean pending) {
        return new DisplaySink() {
            @Override
            public void rendered(Framebuffer framebuffer) {
                target.rendered(framebuffer);
                pending.set(false);
            }

            @Override
            public void scannedOut(LinearScanOut screen) {
                target.scannedOut(screen);
                pending.set(false);
            }
        };
    }

    /**
     * Whether anyone can see this view: a console in a hidden tab, a closed or minimised window
     * would make the VM thread render frames for nobody. The guest's changes wait in the renderer's
     * dirty pages until the view shows again.
     */
    private boolean onScreen() {
        if (getScene() == null || getScene().getWindow() == null || !getScene().getWindow().isShowing()
                || getScene().getWindow() instanceof Stage stage && stage.isIconified()) {
            return false;
        }
        for (Node node = this; node != null; node = node.getParent()) {
            if (!node.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private void onKey(KeyEvent event, boolean pressed) {
        event.consume();
        javafx.scene.input.KeyCode code = event.getCode();
        if (code == javafx.scene.input.KeyCode.CONTROL) {
            controlDown = pressed;
        } else if (code == javafx.scene.input.KeyCode.ALT) {
            altDown = pressed;
        }
        if (pressed && controlDown && altDown && grabbed
                && (code == javafx.scene.input.KeyCode.CONTROL || code == javafx.scene.input.KeyCode.ALT)) {
            releaseGrab();
        }
        if (event.isControlDown() && event.isAltDown() && code == javafx.scene.input.KeyCode.ENTER) {
            if (pressed && getScene() != null && getScene().getWindow() instanceof Stage stage) {
                stage.setFullScreen(!stage.isFullScreen());
            }
            return;
        }
        if (event.isControlDown() && event.isAltDown() && code == javafx.scene.input.KeyCode.INSERT) {
            if (pressed) {
                sendCtrlAltDel(); // the host keeps Ctrl+Alt+Del itself; this is the console's stand-in
            }
            return;
        }
        KeyCode key = KeyMap.toPs2(code);
        if (key != null && machine != null) {
            machine.keyEvent(key, pressed);
        }
    }

    private void onMouseButton(MouseEvent event) {
        requestFocus();
        if (machine == null) {
            return;
        }
        if (!grabbed) {
            if (event.getEventType() == MouseEvent.MOUSE_PRESSED && event.getButton() == MouseButton.PRIMARY) {
                grabbed = true;
                setCursor(Cursor.NONE);
                lastX = event.getX();
                lastY = event.getY();
                status.set("Mouse grabbed: press Ctrl+Alt to release it");
            }
            return;
        }
        machine.mouseEvent(0, 0, 0, buttons(event));
    }

    private void onMouseMoved(MouseEvent event) {
        if (!grabbed || machine == null) {
            return;
        }
        if (!Double.isNaN(lastX)) {
            double scale = view.getImage() == null || view.getBoundsInParent().getWidth() == 0 ? 1
                    : view.getImage().getWidth() / view.getBoundsInParent().getWidth();
            int dx = (int) Math.round((event.getX() - lastX) * scale);
            int dy = (int) Math.round((event.getY() - lastY) * scale);
            if (dx != 0 || dy != 0) {
                machine.mouseEvent(dx, dy, 0, buttons(event));
            }
        }
        lastX = event.getX();
        lastY = event.getY();
    }

    private static int buttons(MouseEvent event) {
        return (event.isPrimaryButtonDown() ? Ps2Mouse.BUTTON_LEFT : 0)
                | (event.isSecondaryButtonDown() ? Ps2Mouse.BUTTON_RIGHT : 0)
                | (event.isMiddleButtonDown() ? Ps2Mouse.BUTTON_MIDDLE : 0);
    }

    public boolean isMouseGrabbed() {
        return grabbed;
    }

    private void releaseGrab() {
        if (grabbed) {
            grabbed = false;
            setCursor(Cursor.DEFAULT);
            lastX = Double.NaN;
            status.set("Click in the screen to capture the mouse");
        }
    }
}
