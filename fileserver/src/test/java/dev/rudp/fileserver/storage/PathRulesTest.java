package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import org.junit.jupiter.api.Test;

/** The lexical rules every backend shares (the link checks are the local store's: LocalStoreTest). */
class PathRulesTest {
    private static final UserPath SUB = UserPath.parse("sub");

    private static UserPath resolve(UserPath cwd, String p) throws ProtocolException {
        return PathRules.resolve(cwd, p);
    }

    private static void refused(String path, String why) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> resolve(UserPath.ROOT, path), path);
        assertEquals(Status.PATH_REFUSED, e.status());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void dotDotThatClimbsOutIsRefused() {
        refused("../../etc/passwd", "outside your home folder");
        refused("sub/../../secret.txt", "outside your home folder");
        refused("..", "outside your home folder");
    }

    @Test
    void dotDotInsideTheHomeIsFine() throws Exception {
        assertEquals(UserPath.ROOT, resolve(SUB, ".."));
        assertEquals(UserPath.parse("a"), resolve(SUB, "../a"));
        assertEquals(UserPath.parse("sub/b"), resolve(SUB, "./x/../b"));
        assertEquals("~/sub", resolve(UserPath.ROOT, "sub").display());
        assertEquals(UserPath.parse("x"), resolve(SUB, "~/x"));
        assertEquals(UserPath.ROOT, resolve(SUB, "~"));
        assertEquals(SUB, resolve(SUB, ""));
        assertEquals(SUB, resolve(SUB, "."));
        assertEquals(UserPath.parse("sub/docs"), resolve(SUB, "docs/"), "one trailing slash");
    }

    @Test
    void absolutePathsNulBytesAndLongNamesAreRefused() {
        refused("/etc/passwd", "absolute paths are not allowed");
        refused("\\\\server\\share", "absolute paths are not allowed");
        refused("C:/x", "absolute paths are not allowed");
        refused("a\0b", "NUL byte");
        refused("x".repeat(256), "name longer than 255 bytes");
        refused("a/".repeat(2100), "path longer than 4096 bytes");
    }

    @Test
    void emptyNamesAndControlCharactersAreRefused() {
        refused("a//b", "empty name");
        refused("a///", "empty name");
        refused("a\u0001b", "control character");
        refused("x/a\nb", "control character");
        refused("del\u007f", "control character");
        refused("bad\ud800", "not valid Unicode");
    }

    @Test
    void nothingIsDecoded() throws Exception {
        assertEquals(UserPath.parse("%2e%2e/%2F"), resolve(UserPath.ROOT, "%2e%2e/%2F"));
        assertEquals(UserPath.parse("a\\b"), resolve(UserPath.ROOT, "a\\b"), "a backslash inside is a plain character");
    }

    @Test
    void refusalsShowNoControlCharactersAndAbbreviateLongPaths() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> resolve(UserPath.ROOT, "a\0b"));
        assertEquals("path refused: a?b: contains a NUL byte", e.getMessage());
        e = assertThrows(ProtocolException.class, () -> resolve(UserPath.ROOT, "y".repeat(300)));
        assertTrue(e.getMessage().startsWith("path refused: " + "y".repeat(40) + "...: "), e.getMessage());
    }
}
