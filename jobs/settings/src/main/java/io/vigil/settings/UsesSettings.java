package io.vigil.settings;

import java.util.List;

/** A verb whose flags include some of {@link VigilConfig}'s settings ({@link SettingOptions} adds them). */
public interface UsesSettings {
    List<String> settingKeys();
}
