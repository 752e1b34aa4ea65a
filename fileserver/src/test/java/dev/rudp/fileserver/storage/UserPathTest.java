package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserPathTest {
    @Test
    void theHomeHasNoSegments() {
        assertTrue(UserPath.ROOT.isRoot());
        assertEquals(UserPath.ROOT, UserPath.parse(""));
        assertEquals("", UserPath.ROOT.relative());
        assertEquals("~", UserPath.ROOT.display());
        assertEquals("~", UserPath.ROOT.name());
        assertEquals(UserPath.ROOT, UserPath.ROOT.parent());
    }

    @Test
    void parseAndRelativeRoundTrip() {
        UserPath p = UserPath.parse("a/b c/d.txt");
        assertEquals(List.of("a", "b c", "d.txt"), p.segments());
        assertEquals("a/b c/d.txt", p.relative());
        assertEquals("~/a/b c/d.txt", p.display());
        assertEquals(p.display(), p.toString());
        assertEquals("d.txt", p.name());
        assertEquals(UserPath.parse("a/b c"), p.parent());
        assertEquals(p, UserPath.parse("a").child("b c").child("d.txt"));
        assertEquals(p.hashCode(), UserPath.parse("a/b c/d.txt").hashCode());
        assertEquals(UserPath.parse("é/ü").relative().length() + 2, UserPath.parse("é/ü").byteLength());
    }

    @Test
    void onlyValidNamesAreAccepted() {
        for (String bad : List.of("a//b", "/a", "a/", "..", "a/../b", "./a", "a\0b", "a\u0001", "x".repeat(256))) {
            assertThrows(IllegalArgumentException.class, () -> UserPath.parse(bad), bad);
        }
        for (String bad : List.of("", ".", "..", "a/b", "\n")) {
            assertThrows(IllegalArgumentException.class, () -> UserPath.ROOT.child(bad), bad);
        }
    }

    @Test
    void sortsSegmentBySegmentSoAFolderComesRightBeforeItsContent() {
        List<UserPath> paths = new ArrayList<>(List.of(UserPath.parse("a.txt"), UserPath.parse("a/b"),
                UserPath.parse("b"), UserPath.parse("a"), UserPath.ROOT));
        paths.sort(null);
        assertEquals(List.of(UserPath.ROOT, UserPath.parse("a"), UserPath.parse("a/b"), UserPath.parse("a.txt"),
                UserPath.parse("b")), paths);
    }

    @Test
    void startsWithAndRebaseWorkOnWholeSegments() {
        UserPath tree = UserPath.parse("docs");
        UserPath inside = UserPath.parse("docs/x/y");
        assertTrue(inside.startsWith(tree));
        assertTrue(tree.startsWith(tree));
        assertTrue(tree.startsWith(UserPath.ROOT));
        assertFalse(UserPath.parse("docs2/x").startsWith(tree), "a name is not a prefix of another");
        assertFalse(tree.startsWith(inside));
        assertEquals(UserPath.parse("old/docs/x/y"), inside.rebase(tree, UserPath.parse("old/docs")));
        assertEquals(UserPath.parse("x/y"), inside.rebase(tree, UserPath.ROOT));
        assertThrows(IllegalArgumentException.class, () -> UserPath.parse("other").rebase(tree, UserPath.ROOT));
        assertNotEquals(UserPath.parse("a/b"), UserPath.parse("a"));
    }
}
