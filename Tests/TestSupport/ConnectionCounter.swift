import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP listener on loopback that counts the connections made to it (not only the requests) and
/// answers any bytes with `200 {}`: proof that a refused request never even connected.
public final class ConnectionCounter: Sendable {
    private let accepted = NIOLockedValueBox(0)
    private let channel: any Channel

    public var connections: Int { accepted.withLockedValue { $0 } }
    public var port: Int { channel.localAddress?.port ?? 0 }

    public init() async throws {
        let accepted = self.accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.withLockedValue { $0 += 1 }
                return channel.pipeline.addHandler(Answer())
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    public func close() async throws { try await channel.close() }

    private final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let reply = context.channel.allocator.buffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}
