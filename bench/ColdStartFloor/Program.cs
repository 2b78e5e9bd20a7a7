using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// AWS_LAMBDA_RUNTIME_API, AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME as the function gets them. Serves invocations
// until killed; for each record of a batch it writes one item (key: the SQS message id), all records at once.
var runtime = new HttpClient { BaseAddress = new Uri($"http://{Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")}/2018-06-01/runtime/"), Timeout = Timeout.InfiniteTimeSpan };
var dynamo = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")!) };
var table = Environment.GetEnvironmentVariable("TABLE_NAME")!;
var json = new MediaTypeHeaderValue("application/x-amz-json-1.0");

while (true)
{
    using var next = await runtime.GetAsync("invocation/next");
    var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
    using var batch = JsonDocument.Parse(await next.Content.ReadAsByteArrayAsync());
    var writes = batch.RootElement.GetProperty("Records").EnumerateArray().Select(async record =>
    {
        var body = "{\"TableName\":\"" + table + "\",\"Item\":{\"orderId\":{\"S\":\"" + record.GetProperty("messageId").GetString() + "\"}}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = json;
        request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.PutItem");
        // dynalite checks that a signature and its date are present, not what they are.
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20250101T000000Z");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0");
        using var response = await dynamo.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }).ToList();
    await Task.WhenAll(writes);
    using var answer = await runtime.PostAsync($"invocation/{requestId}/response", new StringContent("""{"batchItemFailures":[]}""", Encoding.UTF8, "application/json"));
}
