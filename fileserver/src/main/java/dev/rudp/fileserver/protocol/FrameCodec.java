package dev.rudp.fileserver.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes {@link Frame}s to whole ByteBuf messages and decodes them back. The transport must keep
 * message boundaries (rudp does; over TCP put a length-field framer in front).
 *
 * <pre>
 * header   : version u8 | type u8 (1 request, 2 reply, 3 data) | id i64
 * request  : op u16 | nargs u16 | args (string)* | nnums u16 | nums (i64)*
 * reply    : status u16 | message (string) | nlines u32 | lines (string)* | nnums u16 | nums (i64)*
 *            | nentries u32 | entries (name string, type u8, size i64, mtime i64, mode u16)*
 * data     : offset i64 | bytes (the rest of the message)
 * string   : length u32 | UTF-8 bytes
 * </pre>
 *
 * Data frames are passed through {@code bulkWrapper} after encoding, which lets a transport mark
 * them for unordered delivery (rudp: {@code RudpMessage::unordered}) without this package knowing
 * the transport. Decoded {@link Data} frames hold a retained slice: the consumer releases them.
 * Malformed input raises a {@link ProtocolException} (wrapped in a DecoderException).
 */
public final class FrameCodec extends MessageToMessageCodec<ByteBuf, Frame> {
    static final int TYPE_REQUEST = 1;
    static final int TYPE_REPLY = 2;
    static final int TYPE_DATA = 3;
    /** Size of the data header (version, type, id, offset). */
    public static final int DATA_HEADER = 1 + 1 + 8 + 8;

    private final Function<ByteBuf, Object> bulkWrapper;

    /** A codec that writes data frames with {@code bulkWrapper} applied (identity for ordered transports). */
    public FrameCodec(Function<ByteBuf, Object> bulkWrapper) {
        this.bulkWrapper = bulkWrapper;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        if (frame instanceof Data d) {
            ByteBuf header = ctx.alloc().buffer(DATA_HEADER);
            header.writeByte(Frame.VERSION).writeByte(TYPE_DATA).writeLong(d.id()).writeLong(d.offset());
            CompositeByteBuf all = ctx.alloc().compositeBuffer(2);
            all.addComponent(true, header);
            all.addComponent(true, d.content().retain());
            out.add(bulkWrapper.apply(all));
            return;
        }
        ByteBuf buf = ctx.alloc().buffer();
        try {
            encodeControl(frame, buf);
            out.add(buf);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Writes a request or reply to {@code buf} (exposed for golden-byte tests).
     *
     * @throws IllegalArgumentException when a count does not fit its field (more than 65535 arguments or
     *     numbers): written cut to 16 bits, it would decode as another frame
     */
    public static void encodeControl(Frame frame, ByteBuf buf) {
        if (frame instanceof Request r) {
            checkCount("arguments", r.args().size());
            checkCount("numbers", r.nums().length);
            buf.writeByte(Frame.VERSION).writeByte(TYPE_REQUEST).writeLong(r.id());
            buf.writeShort(r.op().code());
            buf.writeShort(r.args().size());
            for (String a : r.args()) {
                writeString(buf, a);
            }
            writeNums(buf, r.nums());
        } else if (frame instanceof Reply r) {
            checkCount("numbers", r.nums().length);
            buf.writeByte(Frame.VERSION).writeByte(TYPE_REPLY).writeLong(r.id());
            buf.writeShort(r.status().code());
            writeString(buf, r.message());
            buf.writeInt(r.lines().size());
            for (String l : r.lines()) {
                writeString(buf, l);
            }
            writeNums(buf, r.nums());
            buf.writeInt(r.entries().size());
            for (FileEntry e : r.entries()) {
                writeString(buf, e.name());
                buf.writeByte(e.type());
                buf.writeLong(e.size());
                buf.writeLong(e.mtimeMillis());
                buf.writeShort(e.mode());
            }
        } else {
            throw new IllegalArgumentException("not a control frame: " + frame);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws ProtocolException {
        out.add(decodeFrame(in));
    }

    /** Decodes one whole message; a {@link Data} result holds a retained slice of {@code in}. */
    public static Frame decodeFrame(ByteBuf in) throws ProtocolException {
        need(in, 10);
        int version = in.readUnsignedByte();
        if (version != Frame.VERSION) {
            throw ProtocolException.of(Status.UNSUPPORTED_VERSION,
                    "unsupported protocol version " + version + " (this side speaks " + Frame.VERSION + ")");
        }
        int type = in.readUnsignedByte();
        long id = in.readLong();
        switch (type) {
            case TYPE_REQUEST: {
                need(in, 2);
                Op op = Op.of(in.readUnsignedShort());
                need(in, 2);
                int n = in.readUnsignedShort();
                List<String> args = new ArrayList<>(Math.min(n, 16));
                for (int i = 0; i < n; i++) {
                    args.add(readString(in));
                }
                long[] nums = readNums(in);
                end(in);
                return new Request(id, op, args, nums);
            }
            case TYPE_REPLY: {
                need(in, 2);
                Status status = Status.of(in.readUnsignedShort());
                String message = readString(in);
                need(in, 4);
                long nLines = in.readUnsignedInt();
                List<String> lines = new ArrayList<>();
                for (long i = 0; i < nLines; i++) {
                    lines.add(readString(in));
                }
                long[] nums = readNums(in);
                need(in, 4);
                long nEntries = in.readUnsignedInt();
                List<FileEntry> entries = new ArrayList<>();
                for (long i = 0; i < nEntries; i++) {
                    String name = readString(in);
                    need(in, 1 + 8 + 8 + 2);
                    char t = (char) in.readUnsignedByte();
                    entries.add(new FileEntry(name, t, in.readLong(), in.readLong(), in.readUnsignedShort()));
                }
                end(in);
                return new Reply(id, status, message, lines, nums, entries);
            }
            case TYPE_DATA: {
                need(in, 8);
                long offset = in.readLong();
                if (offset < 0) {
                    throw ProtocolException.malformed("negative offset");
                }
                return new Data(id, offset, in.readRetainedSlice(in.readableBytes()));
            }
            default:
                throw ProtocolException.malformed("unknown frame type " + type);
        }
    }

    private static void checkCount(String what, int n) {
        if (n > 0xFFFF) {
            throw new IllegalArgumentException(n + " " + what + " in one frame; at most 65535");
        }
    }

    private static void writeNums(ByteBuf buf, long[] nums) {
        buf.writeShort(nums.length);
        for (long v : nums) {
            buf.writeLong(v);
        }
    }

    private static long[] readNums(ByteBuf in) throws ProtocolException {
        need(in, 2);
        int n = in.readUnsignedShort();
        need(in, 8L * n);
        long[] nums = new long[n];
        for (int i = 0; i < n; i++) {
            nums[i] = in.readLong();
        }
        return nums;
    }

    private static void writeString(ByteBuf buf, String s) {
        int lenIndex = buf.writerIndex();
        buf.writeInt(0);
        int written = ByteBufUtil.writeUtf8(buf, s);
        buf.setInt(lenIndex, written);
    }

    private static String readString(ByteBuf in) throws ProtocolException {
        need(in, 4);
        long len = in.readUnsignedInt();
        need(in, len);
        String s = in.toString(in.readerIndex(), (int) len, StandardCharsets.UTF_8);
        in.skipBytes((int) len);
        return s;
    }

    private static void need(ByteBuf in, long n) throws ProtocolException {
        if (in.readableBytes() < n) {
            throw ProtocolException.malformed("truncated frame");
        }
    }

    private static void end(ByteBuf in) throws ProtocolException {
        if (in.isReadable()) {
            throw ProtocolException.malformed(in.readableBytes() + " trailing bytes");
        }
    }
}
