import type { Server } from "node:http";

/**
 * Requests Node's HTTP parser refuses before Express sees them (headers too large, a malformed request
 * line) get the SPEC's error shape instead of Node's bare status line. A connection that broke is closed.
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || !error.code?.startsWith("HPE_")) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify({
      error: {
        code: "validation_error",
        message: tooLarge ? "request headers are too large" : "malformed HTTP request",
      },
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  });
}
