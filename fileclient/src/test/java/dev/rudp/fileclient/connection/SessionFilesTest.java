package dev.rudp.fileclient.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SessionFilesTest {

    /**
     * The file name of a server's session is what the regular expression it replaced made of the key
     * (each code point outside {@code [A-Za-z0-9._-]} one {@code _}), so that the files saved before
     * still resume.
     */
    @Test
    void aSessionFileKeepsTheNameItHadBefore() {
        for (String key : List.of("127.0.0.1:7801", "[::1]:7801", "files.example.org:443", "Host-1_a.b:0",
                "ñandú:1", "emoji\uD83D\uDE00:2", "lone\uD800surrogate:3", "tab\there:4", "../../etc:5", "")) {
            assertEquals(key.replaceAll("[^A-Za-z0-9._-]", "_"), SessionFiles.safeName(key), key);
        }
    }
}
