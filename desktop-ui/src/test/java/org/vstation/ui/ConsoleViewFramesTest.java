package org.vstation.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vstation.ui.FxTestSupport.fx;
import static org.vstation.ui.FxTestSupport.fxRun;
import static org.vstation.ui.FxTestSupport.waitFor;

import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.vstation.devices.Machine;
import org.vstation.fixtures.nasm.Nasm;
import org.vstation.ui.console.ConsoleView;

/**
 * The console shows the benchmark guest's 1024x768 screen in whole frames, and while nobody can see
 * it (here: hidden, as a console in a background tab is) it asks the VM thread for no frames at all.
 */
class ConsoleViewFramesTest {
    private static final long FULL_FRAME = 1024L * 768;

    @Test
    void showsWholeFramesAndStopsWhileHidden() throws Exception {
        assumeTrue(Nasm.isInstalled(), "the guest needs nasm");
        FxTestSupport.startPlatform();
        Machine machine = FramebufferGuest.assemble(false).build("console-frames");
        ConsoleView console = fx(ConsoleView::new);
        Stage stage = fx(() -> {
            Stage shown = new Stage();
            shown.setScene(new Scene(console, 1024, 768));
            shown.show();
            console.attach(machine);
            return shown;
        });
        try {
            machine.start();
            assertTrue(waitFor(120, () -> console.framesShown() >= 10), "the guest's frames reach the screen");
            assertEquals(1024, fx(() -> (int) console.image().getWidth()));
            assertEquals(768, fx(() -> (int) console.image().getHeight()));
            // The guest changes every page between two pulses, so frames are whole 1024x768 updates, except
            // when a refresh lands while the guest is part way through its pages (a few in a hundred).
            long[] shown = fx(() -> new long[] {console.framesShown(), console.pixelsShown()});
            assertTrue(shown[1] <= shown[0] * FULL_FRAME && shown[1] >= 0.8 * shown[0] * FULL_FRAME,
                    shown[0] + " frames, " + shown[1] + " pixels");

            long framesWhenHidden = fx(() -> {
                console.setVisible(false);
                return console.framesShown();
            });
            long instructions = machine.processor().instructionCount();
            Thread.sleep(1000);
            assertTrue(machine.processor().instructionCount() > instructions, "the guest keeps running");
            assertEquals(framesWhenHidden, (long) fx(console::framesShown), "no frames while hidden");

            fxRun(() -> console.setVisible(true));
            assertTrue(waitFor(120, () -> console.framesShown() > framesWhenHidden), "frames again once shown");
        } finally {
            fxRun(() -> {
                console.showPoweredOff("done");
                stage.close();
            });
            machine.powerOff();
            machine.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
