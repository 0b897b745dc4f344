import NIOCore

/// Frames the byte stream into PDUs; a declared length over `maximumLength` fails before its body is buffered.
final class PDUDecoder: ByteToMessageDecoder {
    typealias InboundOut = PDU
    let maximumLength: UInt32

    init(maximumLength: UInt32) { self.maximumLength = maximumLength }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= PDU.headerLength else { return .needMoreData }
        guard let total = try PDU.frameLength(of: buffer.readableBytesView.prefix(PDU.headerLength), maximumLength: maximumLength),
              buffer.readableBytes >= total else { return .needMoreData }
        let bytes = buffer.readBytes(length: total)!
        context.fireChannelRead(wrapInboundOut(try PDU(parsing: bytes[...], maximumLength: maximumLength)))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let n = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: n)
            throw DicomNetworkError(.truncatedPDU, "connection closed inside a PDU (\(n) bytes pending)")
        }
        return .needMoreData
    }
}

/// Encodes PDUs; P-DATA-TF bodies are copied once, straight from the data set bytes into the socket buffer.
final class PDUEncoder: MessageToByteEncoder {
    typealias OutboundIn = PDU

    func encode(data: PDU, out: inout ByteBuffer) throws {
        guard case .dataTF(let pdvs) = data else {
            out.writeBytes(data.encoded())
            return
        }
        let length = pdvs.reduce(0) { $0 + 6 + $1.data.count }
        out.reserveCapacity(out.writerIndex + 6 + length)
        out.writeInteger(UInt8(0x04)); out.writeInteger(UInt8(0))
        out.writeInteger(UInt32(length))
        for pdv in pdvs {
            out.writeInteger(UInt32(pdv.data.count + 2))
            out.writeInteger(pdv.contextID)
            out.writeInteger(UInt8((pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0)))
            out.writeBytes(pdv.data)
        }
    }
}

/// The ARTIM timer (PS3.8 §9.1.5) until the first PDU arrives, and the idle timeout after, both ending the connection.
///
/// A slowloris peer that drips bytes never completes a PDU, so ARTIM closes it whatever its pace.
final class AssociationTimerHandler: ChannelDuplexHandler {
    typealias InboundIn = PDU
    typealias InboundOut = PDU
    typealias OutboundIn = PDU
    typealias OutboundOut = PDU

    let artim: TimeAmount
    let log: @Sendable (String) -> Void
    private var timer: Scheduled<Void>?
    private var sawPDU = false

    init(artim: TimeAmount, log: @escaping @Sendable (String) -> Void) {
        self.artim = artim
        self.log = log
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil, !sawPDU else { return }
        let channel = context.channel
        let log = self.log
        let artim = self.artim
        timer = context.eventLoop.scheduleTask(in: artim) {
            log("ARTIM expired after \(artim.nanoseconds / 1_000_000) ms without a complete PDU from \(channel.remoteAddress?.description ?? "peer"); closing")
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !sawPDU {
            sawPDU = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            log("idle timeout on association with \(context.channel.remoteAddress?.description ?? "peer"); sending A-ABORT")
            context.writeAndFlush(wrapOutboundOut(.abort(.notSpecified)), promise: nil)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Timeouts and limits of one connection.
public struct AssociationTimeouts: Sendable {
    /// ARTIM: the longest wait for the first complete PDU (A-ASSOCIATE-RQ or -AC).
    public var artim: TimeAmount
    /// The longest silence on an established association before it is aborted.
    public var idle: TimeAmount
    /// Connecting.
    public var connect: TimeAmount

    /// Makes timeouts.
    public init(artim: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(300), connect: TimeAmount = .seconds(15)) {
        self.artim = artim
        self.idle = idle
        self.connect = connect
    }
}

extension Channel {
    /// Adds the PDU framing and timers and wraps the channel for async use. Call on the channel's event loop.
    /// `extra` handlers go last, just before the async channel: they see and may consume decoded PDUs.
    func addDicomHandlers(maximumLength: UInt32, timeouts: AssociationTimeouts, log: @escaping @Sendable (String) -> Void,
                          extra: [ChannelHandler] = []) throws -> NIOAsyncChannel<PDU, PDU> {
        // A-ASSOCIATE PDUs may be larger than a small negotiated P-DATA limit (many contexts, identity tokens).
        let limit = Swift.max(maximumLength == 0 ? PDU.defaultMaximumLength : maximumLength, 1 << 16)
        #if os(Linux)
        try pipeline.syncOperations.addHandler(QuickAckHandler())
        #endif
        try pipeline.syncOperations.addHandlers([
            IdleStateHandler(readTimeout: timeouts.idle),
            ByteToMessageHandler(PDUDecoder(maximumLength: limit)),
            MessageToByteHandler(PDUEncoder()),
            AssociationTimerHandler(artim: timeouts.artim, log: log),
            CancelWatcher(),
        ] + extra)
        return try NIOAsyncChannel<PDU, PDU>(wrappingChannelSynchronously: self)
    }
}

#if os(Linux)
import Glibc

/// Re-arms TCP_QUICKACK after every read (Linux clears it), so the peer's last small fragment is acknowledged at once.
///
/// A sender without TCP_NODELAY (DCMTK's tools by default) holds the short tail of each message under Nagle until the
/// previous segment is acknowledged; with delayed ACKs that costs about 40 ms per message. TCP_NODELAY on our side
/// cannot help the sender's Nagle; acknowledging immediately does.
final class QuickAckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let options = context.channel.syncOptions {
            try? options.setOption(ChannelOptions.Types.SocketOption(level: .init(IPPROTO_TCP), name: .init(TCP_QUICKACK)), value: 1)
        }
        context.fireChannelRead(data)
    }
}
#endif
