using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FunctionHost;

// Usage: FunctionHost <bundle directory> <handler string>
// Loads the function once, listens on 127.0.0.1 (an ephemeral port), prints {"host":"ready","port":N}
// and then serves invocations, concurrently, until killed. One invocation per connection:
//   request:  int32 length (big-endian), the event's bytes
//   response: byte status (0 ok, 1 the function threw), int32 length, the response's bytes (or the error)
// The function's own log lines go to standard output, as in Lambda.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FunctionHost <bundle directory> <handler string>");
    return 2;
}

LambdaHandler handler;
try
{
    handler = LambdaHandler.Load(args[0], args[1]);
}
catch (Exception e)
{
    Console.Error.WriteLine($"function init failed: {e.GetType().Name}: {e.Message}");
    return 1;
}

var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
var port = ((IPEndPoint)listener.LocalEndpoint).Port;
Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["host"] = "ready", ["port"] = port }));
Console.Out.Flush();

while (true)
{
    var client = await listener.AcceptTcpClientAsync();
    _ = Task.Run(() => ServeAsync(client, handler));
}

static async Task ServeAsync(TcpClient client, LambdaHandler handler)
{
    using (client)
    {
        var stream = client.GetStream();
        try
        {
            var header = new byte[4];
            await stream.ReadExactlyAsync(header);
            var input = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
            await stream.ReadExactlyAsync(input);

            byte status;
            byte[] output;
            try
            {
                using var result = await handler.InvokeAsync(new MemoryStream(input, writable: false));
                using var buffer = new MemoryStream();
                await result.CopyToAsync(buffer);
                (status, output) = (0, buffer.ToArray());
            }
            catch (Exception e)
            {
                (status, output) = (1, Encoding.UTF8.GetBytes($"{e.GetType().Name}: {e.Message}"));
            }

            var reply = new byte[5 + output.Length];
            reply[0] = status;
            BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(1), output.Length);
            output.CopyTo(reply, 5);
            await stream.WriteAsync(reply);
        }
        catch (IOException)
        {
            // The runner gave up on this invocation (a timeout): nothing to answer.
        }
    }
}
