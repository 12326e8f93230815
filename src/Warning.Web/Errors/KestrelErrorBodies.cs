using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Warning.Web.Errors;

/// <summary>
/// Kestrel answers requests it cannot parse (a 414 for a very long URL, a 400 for <c>%00</c> in a path, a 431 for huge
/// headers) itself, before any middleware runs and with an empty body, and offers no hook to change that. This
/// connection middleware sits between Kestrel and the socket and gives exactly those answers a problem+json body:
/// a 4xx that closes the connection with <c>Content-Length: 0</c> and no content type, which the app itself never sends
/// (its errors all carry problem+json).
/// </summary>
public static class KestrelErrorBodies
{
    public static ListenOptions UseProblemBodiesForKestrelErrors(this ListenOptions listen)
    {
        listen.Use(next => async connection =>
        {
            var transport = connection.Transport;
            var toSocket = new Pipe(new PipeOptions(useSynchronizationContext: false));
            var pump = PumpAsync(toSocket.Reader, transport.Output);
            connection.Transport = new Duplex(transport.Input, toSocket.Writer);
            try
            {
                await next(connection);
            }
            finally
            {
                await toSocket.Writer.CompleteAsync();
                await pump;
                connection.Transport = transport;
            }
        });
        return listen;
    }

    private static async Task PumpAsync(PipeReader reader, PipeWriter socket)
    {
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                if (!buffer.IsEmpty)
                {
                    if (buffer.Length < 1024 && Rewrite(buffer) is { } rewritten) socket.Write(rewritten);
                    else foreach (var segment in buffer) socket.Write(segment.Span);
                    var flushed = await socket.FlushAsync();
                    if (flushed.IsCompleted) { reader.AdvanceTo(buffer.End); break; }
                }
                reader.AdvanceTo(buffer.End);
                if (read.IsCompleted) break;
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away; Kestrel notices on its side.
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>The response with a problem+json body, or null when it is not one of Kestrel's bare error answers.</summary>
    public static byte[]? Rewrite(ReadOnlySequence<byte> buffer)
    {
        var text = Encoding.ASCII.GetString(buffer.ToArray());
        if (!text.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) || !text.EndsWith("\r\n\r\n", StringComparison.Ordinal)) return null;
        var head = text[..^4];
        var lines = head.Split("\r\n");
        if (!lines.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase) || !lines.Contains("Connection: close", StringComparer.OrdinalIgnoreCase) ||
            lines.Any(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)))
            return null;
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], out var status)) return null;

        var (field, rule, message) = status switch
        {
            414 => ("url", "maxLength", "the request target (path and query) is longer than the server accepts"),
            431 => ("headers", "maxBytes", "the request headers are larger than the server accepts"),
            408 => ("headers", "timeout", "the request headers arrived too slowly"),
            411 => ("Content-Length", "required", "a request with a body must say its length"),
            413 => ("$", "maxBytes", "the request body is larger than the server accepts"),
            _ => ("request", "syntax", "the request line or headers are not valid HTTP/1.1 (for example a %00 or a control character in the path, or a malformed header)"),
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = status <= 417 ? $"https://tools.ietf.org/html/rfc9110#section-15.5.{status - 399}" : "about:blank",
            title = statusParts.Length > 2 ? statusParts[2] : "Bad request",
            status,
            detail = $"{field}: {message}",
            errors = new[] { new { field, rule, message } },
        });
        var headers = lines.Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Append("Content-Type: application/problem+json").Append($"Content-Length: {body.Length}");
        return [.. Encoding.ASCII.GetBytes(string.Join("\r\n", headers) + "\r\n\r\n"), .. body];
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
