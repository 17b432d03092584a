package org.vstation.ui;

import atlantafx.base.theme.PrimerLight;
import java.io.IOException;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.library.VmLibrary;
import org.vstation.manager.runner.VmRuntime;
import org.vstation.ui.library.MainWindow;

/** The desktop app: the library in ~/VStation (or $VSTATION_LIBRARY) with the Primer theme. */
public final class VStationApp extends Application {

    @Override
    public void start(Stage stage) throws IOException {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        VmLibrary library = VmLibrary.open(VmLibrary.location(null, System.getenv(),
                Path.of(System.getProperty("user.home"))), true);
        VmRuntime runtime = new VmRuntime(library, FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS));
        MainWindow window = new MainWindow(stage, runtime, AppPreferences.ofUser());
        stage.show();
        Platform.runLater(window::offerDemoOnFirstRun);
    }
}
