package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/** The leak check itself must catch a leak, or the other tests' silence means nothing. */
class LeakCheckTest {
    @Test
    void reportsALeakedBuffer() {
        ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "self test" : null);
        LeakCheck check = new LeakCheck();
        check.beforeAll(context);
        leakOneBuffer();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check.afterAll(context));
        assertTrue(e.getMessage().startsWith("1 buffer leak(s) in self test"), e.getMessage());
        assertTrue(e.getMessage().contains("leakOneBuffer"), "the report says where: " + e.getMessage());
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.directBuffer(16).writeInt(1);
    }
}
