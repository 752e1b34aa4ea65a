package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Connection close: {@code type (0x06) | error code (v) | reason length (v) | reason (UTF-8)}.
 * Code 0 is a normal close. Reasons are cut to {@link #MAX_REASON} bytes, on a character boundary.
 */
public final class CloseFrame {
    /** Longest reason sent or accepted, in bytes. */
    public static final int MAX_REASON = 256;

    private final long code;
    private final String reason;

    public CloseFrame(long code, String reason) {
        this.code = code;
        this.reason = reason == null ? "" : reason;
    }

    public long code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    private byte[] reasonBytes() {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_REASON) {
            return b;
        }
        int n = MAX_REASON;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--; // b[n] continues a character that starts before the cut: cut before that character
        }
        byte[] cut = new byte[n];
        System.arraycopy(b, 0, cut, 0, n);
        return cut;
    }

    public int size() {
        int n = reasonBytes().length;
        return 1 + Varint.size(code) + Varint.size(n) + n;
    }

    public void encode(ByteBuf out) {
        byte[] b = reasonBytes();
        out.writeByte(FrameType.CLOSE.code());
        Varint.write(out, code);
        Varint.write(out, b.length);
        out.writeBytes(b);
    }

    /** Decodes the body; returns null when truncated or over-long. */
    public static CloseFrame decode(ByteBuf in) {
        return WireReader.readFrom(in, CloseFrame::decode);
    }

    /** As {@link #decode(ByteBuf)}, at the cursor. */
    public static CloseFrame decode(WireReader in) {
        long code = Varint.read(in);
        long n = Varint.read(in);
        if (code < 0 || n < 0 || n > MAX_REASON || n > in.readableBytes()) {
            return null;
        }
        String reason = in.readSlice((int) n).toString(StandardCharsets.UTF_8);
        return new CloseFrame(code, reason);
    }
}
