package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.testing.FuzzBounds;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target for user path resolution ({@link PathRules#resolve}), the one place a client's path
 * becomes a location in its home. Properties: nothing but a PATH_REFUSED {@link ProtocolException}
 * is thrown; the result has no {@code ..}, {@code .} or empty segment and no control character, so it
 * cannot lead outside the home; it is the same every time; and it round trips through both the
 * stored form ({@link UserPath#parse}) and the form shown to the user ({@code ~/...}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PathRulesFuzzTest {

    @FuzzTest
    void resolve(FuzzedDataProvider data) throws Exception {
        UserPath cwd;
        try {
            cwd = PathRules.resolve(UserPath.ROOT, data.consumeString(200));
        } catch (ProtocolException e) {
            cwd = UserPath.ROOT;
        }
        String clientPath = data.consumeRemainingAsString();
        UserPath[] result = new UserPath[1];
        ProtocolException[] refused = new ProtocolException[1];
        UserPath from = cwd;
        FuzzBounds.boundedAllocation(clientPath.length(), 64 << 10, 64, () -> {
            try {
                result[0] = PathRules.resolve(from, clientPath);
            } catch (ProtocolException e) {
                refused[0] = e;
            }
        });
        if (refused[0] != null) {
            assertEquals(Status.PATH_REFUSED, refused[0].status());
            assertFalse(refused[0].getMessage().chars().anyMatch(c -> c < 0x20 || c == 0x7f),
                    "a control character in the message");
            return;
        }
        UserPath p = result[0];
        for (String s : p.segments()) {
            assertFalse(s.isEmpty() || s.equals(".") || s.equals(".."), "segment '" + s + "' in " + p.segments());
            assertFalse(s.contains("/"), "a '/' inside segment " + s);
            assertTrue(s.chars().noneMatch(c -> c < 0x20 || c == 0x7f), "a control character in " + s);
            assertTrue(s.getBytes(StandardCharsets.UTF_8).length <= PathRules.MAX_NAME);
        }
        assertEquals(p, PathRules.resolve(from, clientPath), "not deterministic");
        assertEquals(p, UserPath.parse(p.relative()), "the stored form reads back differently");
        if (p.display().getBytes(StandardCharsets.UTF_8).length <= PathRules.MAX_PATH) {
            assertEquals(p, PathRules.resolve(UserPath.ROOT, p.display()), "the shown form resolves elsewhere");
            assertEquals(p, PathRules.resolve(cwd, p.display()), "the shown form depends on the working folder");
        }
        if (!clientPath.startsWith("~") && !clientPath.contains("..")) {
            assertTrue(p.startsWith(cwd), p + " is not below the working folder " + cwd);
        }
    }
}
