package dev.rudp.fileclient.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The launcher-agent wire format, all of it. Every message is a frame: {@code u8 type}, {@code u32
 * length} (big-endian, at most {@link #MAX_FRAME}), then {@code length} payload bytes. Strings are
 * {@code u32 length} + UTF-8. One request per socket connection, in this order: REQUEST, then
 * READY or BUSY, then LINES, then any PROMPT/ANSWER pairs (login), OUT/ERR, and last EXIT; CANCEL
 * may come at any time after REQUEST. STOP replaces REQUEST.
 *
 * <pre>
 * launcher -> agent   REQUEST  u8 version(1) str key str cwd u8 flags(1 stdout tty, 2 stderr tty, 4 quiet)
 *                              u32 width u64 timeoutMillis   (key: the session key the socket is named
 *                                                             after; another agent's key is refused)
 *                     LINES    u32 n, n x str line           (the batch; read only after READY, so a
 *                                                             busy agent leaves stdin unread)
 *                     ANSWER   u8 given(0|1) str answer      (reply to PROMPT; secrets only here)
 *                     CANCEL   (empty)                        (Ctrl-C: the agent stops the batch, exit 20)
 *                     STOP     (empty)                        (log out and exit; answered with EXIT 0)
 * agent -> launcher   READY    (empty)                        (the agent is this launcher's until EXIT)
 *                     BUSY     str reason                     (nothing ran: run in-process instead)
 *                     PROMPT   u8 kind(0 password: no echo, 1 question: echo) str text
 *                     OUT/ERR  raw bytes for the launcher's stdout / stderr
 *                     EXIT     u32 status                     (last frame; the connection then closes)
 * </pre>
 *
 * Reads and writes go straight to the channel (never through {@code Channels.newInputStream}, whose
 * blocking lock would make a waiting reader stall a writer on the same socket).
 */
public final class AgentProtocol {
    /** Protocol version carried by REQUEST; an agent refuses other versions with BUSY. */
    public static final int VERSION = 1;
    /** Largest payload accepted; a batch script or one output chunk is far smaller. */
    public static final int MAX_FRAME = 16 << 20;

    static final int REQUEST = 1;
    static final int ANSWER = 2;
    static final int CANCEL = 3;
    static final int STOP = 4;
    static final int LINES = 5;
    static final int OUT = 16;
    static final int ERR = 17;
    static final int PROMPT = 18;
    static final int BUSY = 19;
    static final int EXIT = 20;
    static final int READY = 21;

    static final int TTY_OUT = 1;
    static final int TTY_ERR = 2;
    static final int QUIET = 4;

    static final int PROMPT_PASSWORD = 0;
    static final int PROMPT_QUESTION = 1;

    private AgentProtocol() {
    }

    /** One received frame. */
    record Frame(int type, byte[] payload) {
        Reader reader() {
            return new Reader(ByteBuffer.wrap(payload));
        }
    }

    /** How to run a batch: what the launcher sends in REQUEST. */
    record Request(String key, String cwd, boolean stdoutTty, boolean stderrTty, boolean quiet, int width, long timeoutMillis) {
        byte[] encode() {
            return new Writer().u8(VERSION).str(key).str(cwd)
                    .u8((stdoutTty ? TTY_OUT : 0) | (stderrTty ? TTY_ERR : 0) | (quiet ? QUIET : 0))
                    .u32(width).u64(timeoutMillis).bytes();
        }

        static Request decode(byte[] payload) throws IOException {
            Reader r = new Reader(ByteBuffer.wrap(payload));
            int v = r.u8();
            if (v != VERSION) {
                throw new IOException("agent protocol version " + v + ", expected " + VERSION);
            }
            String key = r.str();
            String cwd = r.str();
            int flags = r.u8();
            int width = r.u32();
            long timeout = r.u64();
            return new Request(key, cwd, (flags & TTY_OUT) != 0, (flags & TTY_ERR) != 0, (flags & QUIET) != 0, width,
                    timeout);
        }
    }

    static byte[] lines(List<String> lines) {
        Writer w = new Writer().u32(lines.size());
        for (String l : lines) {
            w.str(l);
        }
        return w.bytes();
    }

    static List<String> linesOf(byte[] payload) throws IOException {
        Reader r = new Reader(ByteBuffer.wrap(payload));
        int n = r.u32();
        if (n < 0 || n > payload.length) {
            throw new IOException("bad line count " + n);
        }
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(r.str());
        }
        return lines;
    }

    static String strOf(byte[] payload) throws IOException {
        return new Reader(ByteBuffer.wrap(payload)).str();
    }

    static byte[] str(String s) {
        return new Writer().str(s).bytes();
    }

    /** Writes one frame (the whole of it, even on a partial write). Thread-safe per channel. */
    static void write(SocketChannel ch, int type, byte[] payload) throws IOException {
        write(ch, type, payload, 0, payload.length);
    }

    static void write(SocketChannel ch, int type, byte[] b, int off, int len) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put((byte) type).putInt(len).flip();
        ByteBuffer body = ByteBuffer.wrap(b, off, len);
        synchronized (ch) {
            while (head.hasRemaining() || body.hasRemaining()) {
                ch.write(new ByteBuffer[] {head, body});
            }
        }
    }

    /** Reads one frame; null at a clean end of stream before a frame starts. */
    static Frame read(SocketChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5);
        if (!fill(ch, head, true)) {
            return null;
        }
        head.flip();
        int type = head.get() & 0xff;
        int len = head.getInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("agent frame too large: " + len);
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        fill(ch, body, false);
        return new Frame(type, body.array());
    }

    private static boolean fill(SocketChannel ch, ByteBuffer b, boolean eofOk) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                if (eofOk && b.position() == 0) {
                    return false;
                }
                throw new EOFException("agent connection closed mid-frame");
            }
        }
        return true;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] prompt(int kind, String text) {
        return new Writer().u8(kind).str(text).bytes();
    }

    /** ANSWER payload; the caller wipes {@code answer}. The returned array holds the secret too: wipe it after the write. */
    static byte[] answer(char[] answer) {
        if (answer == null) {
            return new byte[] {0, 0, 0, 0, 0};
        }
        ByteBuffer enc = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(answer));
        byte[] out = new byte[5 + enc.remaining()];
        out[0] = 1;
        ByteBuffer.wrap(out, 1, 4).putInt(enc.remaining());
        enc.get(out, 5, enc.remaining());
        Arrays.fill(enc.array(), (byte) 0);
        return out;
    }

    /** The answer of an ANSWER payload (null: none given); wipes the payload. */
    static char[] answerOf(byte[] payload) throws IOException {
        try {
            Reader r = new Reader(ByteBuffer.wrap(payload));
            if (r.u8() == 0) {
                return null;
            }
            int n = r.u32();
            if (n < 0 || n > payload.length - 5) {
                throw new IOException("bad answer length");
            }
            java.nio.CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(payload, 5, n));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    /** Appends big-endian fields. */
    static final class Writer {
        private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();

        Writer u8(int v) {
            b.write(v);
            return this;
        }

        Writer u32(int v) {
            b.writeBytes(AgentProtocol.u32(v));
            return this;
        }

        Writer u64(long v) {
            b.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
            return this;
        }

        Writer str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            u32(u.length);
            b.writeBytes(u);
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    /** Reads big-endian fields; a short payload is an IOException. */
    static final class Reader {
        private final ByteBuffer b;

        Reader(ByteBuffer b) {
            this.b = b;
        }

        int u8() throws IOException {
            need(1);
            return b.get() & 0xff;
        }

        int u32() throws IOException {
            need(4);
            return b.getInt();
        }

        long u64() throws IOException {
            need(8);
            return b.getLong();
        }

        String str() throws IOException {
            int n = u32();
            if (n < 0) {
                throw new IOException("bad string length");
            }
            need(n);
            String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
            return s;
        }

        private void need(int n) throws IOException {
            if (b.remaining() < n) {
                throw new IOException("agent frame too short");
            }
        }
    }
}
