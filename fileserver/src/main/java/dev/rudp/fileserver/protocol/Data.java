package dev.rudp.fileserver.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A chunk of file content at an explicit 64-bit offset, sent unordered: chunks may arrive in any
 * order and are written positionally. Reference counted: whoever consumes it releases it.
 */
public final class Data extends DefaultByteBufHolder implements Frame {
    private final long transferId;
    private final long offset;

    public Data(long transferId, long offset, ByteBuf content) {
        super(content);
        this.transferId = transferId;
        this.offset = offset;
    }

    @Override
    public long id() {
        return transferId;
    }

    /** Position of the first byte in the file. */
    public long offset() {
        return offset;
    }

    @Override
    public Data replace(ByteBuf content) {
        return new Data(transferId, offset, content);
    }

    @Override
    public String toString() {
        return "Data(" + transferId + ", " + offset + ", " + content().readableBytes() + ")";
    }
}
