using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrderProcessor.Storage;

// The floor of the cold start: what any program must do to answer the same batch with the same requests, and no
// more. AWS_LAMBDA_RUNTIME_API, AWS_ENDPOINT_URL_DYNAMODB, TABLE_NAME, AWS_REGION and the credentials as the function
// gets them. Serves invocations until killed; for each record of a batch it sends, all records at once, the PutItem
// the function sends for an order (the same eight attributes, condition and return values: dynalite's work for a
// conditional write is part of the round trip, not of the SDK), keyed by the SQS message id so that the function's
// items are not touched, and signed with Signature Version 4 as DynamoDB requires
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html; dynalite checks only
// that a signature is there, AWS checks it). No AWS SDK, no validation, no log line, no metrics.
// FLOOR_BARE=1 makes it the floor of earlier runs, kept for comparison (cold_start_bare_ms): a one-attribute
// unconditional PutItem with a dummy signature, which dynalite accepts and AWS would not.
var bare = Environment.GetEnvironmentVariable("FLOOR_BARE") == "1";
var runtime = new HttpClient { BaseAddress = new Uri($"http://{Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")}/2018-06-01/runtime/"), Timeout = Timeout.InfiniteTimeSpan };
var endpoint = new Uri(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")!);
var dynamo = new HttpClient { BaseAddress = endpoint };
var table = Environment.GetEnvironmentVariable("TABLE_NAME")!;
var signer = new Signer(
    endpoint.Authority,
    Environment.GetEnvironmentVariable("AWS_REGION")!,
    Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")!,
    Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!,
    Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"));
var json = new MediaTypeHeaderValue("application/x-amz-json-1.0");
const string Target = "DynamoDB_20120810.PutItem";
// An order's values at the sample's lengths, and a fingerprint's length (64 hex digits).
const string Timestamp = "2025-05-03T12:00:00.0000000Z";
const string Fingerprint = "5f0c4e1b9a7d3c2e8f6a1b0d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e";

while (true)
{
    using var next = await runtime.GetAsync("invocation/next");
    var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
    using var batch = JsonDocument.Parse(await next.Content.ReadAsByteArrayAsync());
    var writes = batch.RootElement.GetProperty("Records").EnumerateArray().Select(async record =>
    {
        var body = PutItem(table, record.GetProperty("messageId").GetString()!, bare);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = json;
        request.Headers.Add("X-Amz-Target", Target);
        if (bare)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Date", "20250101T000000Z");
            request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0");
        }
        else
        {
            signer.Sign(request, body, Target, DateTime.UtcNow);
        }

        using var response = await dynamo.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }).ToList();
    await Task.WhenAll(writes);
    using var answer = await runtime.PostAsync($"invocation/{requestId}/response", new StringContent("""{"batchItemFailures":[]}""", Encoding.UTF8, "application/json"));
}

/// <summary>The PutItem body the function sends for an order (OrderItem's names and condition), or the bare floor's.</summary>
static byte[] PutItem(string table, string id, bool bare)
{
    var buffer = new ArrayBufferWriter<byte>(1024);
    using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        json.WriteStartObject();
        json.WriteString("TableName", table);
        json.WriteStartObject("Item");
        Attribute(json, OrderItem.OrderId, "S", id);
        if (!bare)
        {
            Attribute(json, OrderItem.UserId, "S", "U123");
            Attribute(json, OrderItem.ItemName, "S", "Laptop");
            Attribute(json, OrderItem.Quantity, "N", "1");
            Attribute(json, OrderItem.Status, "S", "new");
            Attribute(json, OrderItem.Timestamp, "S", Timestamp);
            Attribute(json, OrderItem.MessageId, "S", id);
            Attribute(json, OrderItem.Fingerprint, "S", Fingerprint);
        }

        json.WriteEndObject();
        if (!bare)
        {
            json.WriteString("ConditionExpression", OrderItem.WriteCondition);
            json.WriteStartObject("ExpressionAttributeNames");
            json.WriteString("#id", OrderItem.OrderId);
            json.WriteString("#ts", OrderItem.Timestamp);
            json.WriteString("#fp", OrderItem.Fingerprint);
            json.WriteEndObject();
            json.WriteStartObject("ExpressionAttributeValues");
            Attribute(json, ":ts", "S", Timestamp);
            Attribute(json, ":fp", "S", Fingerprint);
            json.WriteEndObject();
            json.WriteString("ReturnValues", "ALL_OLD");
            json.WriteString("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
        }

        json.WriteEndObject();
    }

    return buffer.WrittenSpan.ToArray();

    static void Attribute(Utf8JsonWriter json, string name, string type, string value)
    {
        json.WriteStartObject(name);
        json.WriteString(type, value);
        json.WriteEndObject();
    }
}

/// <summary>Signature Version 4 for a DynamoDB JSON request: the signed headers are content-type, host, x-amz-date, x-amz-target (and the session token).</summary>
internal sealed class Signer(string host, string region, string accessKey, string secretKey, string? sessionToken)
{
    private readonly Lock _gate = new();
    private string? _day;
    private byte[] _key = [];

    public void Sign(HttpRequestMessage request, byte[] body, string target, DateTime now)
    {
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var scope = $"{day}/{region}/dynamodb/aws4_request";
        var signedHeaders = sessionToken is null ? "content-type;host;x-amz-date;x-amz-target" : "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        var canonicalHeaders = "content-type:application/x-amz-json-1.0\nhost:" + host + "\nx-amz-date:" + amzDate + "\n" +
            (sessionToken is null ? "" : "x-amz-security-token:" + sessionToken + "\n") + "x-amz-target:" + target + "\n";
        var canonicalRequest = "POST\n/\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + Convert.ToHexStringLower(SHA256.HashData(body));
        var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(day), Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (sessionToken is not null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>The day's signing key, derived once per day (the chain of four HMACs).</summary>
    private byte[] SigningKey(string day)
    {
        lock (_gate)
        {
            if (_day != day)
            {
                var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(day));
                foreach (var part in new[] { region, "dynamodb", "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
                (_day, _key) = (day, key);
            }

            return _key;
        }
    }
}
