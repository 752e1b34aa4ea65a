package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.util.internal.MacAddressUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The id chosen is one Netty accepts, is never a vendor's address, and a user's own id stays. */
class MachineIdTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.clearProperty(MachineId.PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(MachineId.PROPERTY);
        } else {
            System.setProperty(MachineId.PROPERTY, saved);
        }
    }

    @Test
    void anUnsetIdBecomesARandomLocallyAdministeredOneThatNettyParses() {
        MachineId.chooseIfUnset();
        String first = System.getProperty(MachineId.PROPERTY);
        byte[] id = MacAddressUtil.parseMAC(first); // throws on a format Netty would reject
        assertEquals(8, id.length);
        assertEquals(0x02, id[0] & 0x02, "locally administered bit");
        System.clearProperty(MachineId.PROPERTY);
        MachineId.chooseIfUnset();
        assertNotEquals(first, System.getProperty(MachineId.PROPERTY), "random per start");
    }

    @Test
    void aUsersOwnIdIsKept() {
        System.setProperty(MachineId.PROPERTY, "02:00:00:00:00:01");
        MachineId.chooseIfUnset();
        assertEquals("02:00:00:00:00:01", System.getProperty(MachineId.PROPERTY));
    }
}
