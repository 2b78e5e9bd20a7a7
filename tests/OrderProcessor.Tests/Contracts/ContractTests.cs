using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderProcessor.Contracts;

namespace OrderProcessor.Tests.Contracts;

/// <summary>The wire types against the real samples in shared/events, used as they are.</summary>
public sealed class ContractTests
{
    [Test]
    public void SqsEvent_AwsLambdaDotnetSample_ReadsEveryField()
    {
        var sqsEvent = JsonSerializer.Deserialize(RepositoryFiles.SharedEvent("sqs-event.aws-lambda-dotnet.json"), ContractsJsonContext.Default.SqsEvent)!;

        Assert.That(sqsEvent.Records, Has.Count.EqualTo(1));
        var record = sqsEvent.Records![0];
        Assert.Multiple(() =>
        {
            Assert.That(record.MessageId, Is.EqualTo("MessageID"));
            Assert.That(record.ReceiptHandle, Is.EqualTo("MessageReceiptHandle"));
            Assert.That(record.Body, Is.EqualTo("Message Body"));
            Assert.That(record.Md5OfBody, Is.EqualTo("fce0ea8dd236ccb3ed9b37dae260836f"));
            Assert.That(record.Md5OfMessageAttributes, Is.EqualTo("582c92c5c5b6ac403040a4f3ab3115c9"));
            Assert.That(record.EventSourceArn, Is.EqualTo("arn:aws:sqs:us-west-2:123456789012:SQSQueue"));
            Assert.That(record.EventSource, Is.EqualTo("aws:sqs"));
            Assert.That(record.AwsRegion, Is.EqualTo("us-west-2"));
            Assert.That(record.Attributes, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["ApproximateReceiveCount"] = "2",
                ["SentTimestamp"] = "1520621625029",
                ["SenderId"] = "AROAIWPX5BD2BHG722MW4:sender",
                ["ApproximateFirstReceiveTimestamp"] = "1520621634884",
            }));
            Assert.That(record.ReceiveCount, Is.EqualTo(2));
        });

        Assert.That(record.MessageAttributes, Has.Count.EqualTo(2));
        var first = record.MessageAttributes!["Attribute1"];
        var second = record.MessageAttributes["Attribute2"];
        Assert.Multiple(() =>
        {
            Assert.That(first.StringValue, Is.EqualTo("123"));
            Assert.That(Encoding.UTF8.GetString(first.BinaryValue!), Is.EqualTo("Smaug"));
            Assert.That(first.StringListValues, Is.EqualTo(new[] { "a1", "a2" }));
            Assert.That(first.BinaryListValues!.Select(v => Encoding.UTF8.GetString(v)), Is.EqualTo(new[] { "Vermithrax", "Pejorative" }));
            Assert.That(first.DataType, Is.EqualTo("Number"));
            Assert.That(second.StringValue, Is.EqualTo("AttributeValue2"));
            Assert.That(second.StringListValues, Is.EqualTo(new[] { "b1", "b2" }));
            Assert.That(second.BinaryListValues, Is.Empty);
            Assert.That(second.DataType, Is.EqualTo("String"));
            Assert.That(second.BinaryValue, Is.Null);
        });
    }

    [Test]
    public void SnsEnvelope_AwsDocsSample_ReadsEveryField()
    {
        var envelope = JsonSerializer.Deserialize(RepositoryFiles.SharedEvent("sns-envelope-in-sqs-body.aws-docs.json"), ContractsJsonContext.Default.SnsEnvelope)!;

        Assert.Multiple(() =>
        {
            Assert.That(envelope.Type, Is.EqualTo(SnsEnvelope.NotificationType));
            Assert.That(envelope.MessageId, Is.EqualTo("63a3f6b6-d533-4a47-aef9-fcf5cf758c76"));
            Assert.That(envelope.TopicArn, Is.EqualTo("arn:aws:sns:us-west-2:123456789012:MyTopic"));
            Assert.That(envelope.Subject, Is.EqualTo("Testing publish to subscribed queues"));
            Assert.That(envelope.Message, Is.EqualTo("Hello world!"));
            Assert.That(envelope.Timestamp, Is.EqualTo(new DateTimeOffset(2012, 3, 29, 5, 12, 16, 901, TimeSpan.Zero)));
            Assert.That(envelope.SignatureVersion, Is.EqualTo("1"));
            Assert.That(envelope.Signature, Is.EqualTo("EXAMPLEnTrFPa3..."));
            Assert.That(envelope.SigningCertUrl, Is.EqualTo("https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"));
            Assert.That(envelope.UnsubscribeUrl, Is.EqualTo("https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee"));
            Assert.That(envelope.MessageAttributes, Is.Null);
        });
    }

    [Test]
    public void SnsEnvelope_NullOrAbsentSubject_ReadsAsNull()
    {
        var withNull = JsonSerializer.Deserialize("""{"Type":"Notification","Subject":null,"Message":"m"}""", ContractsJsonContext.Default.SnsEnvelope)!;
        var without = JsonSerializer.Deserialize("""{"Type":"Notification","Message":"m"}""", ContractsJsonContext.Default.SnsEnvelope)!;

        Assert.That(new[] { withNull.Subject, without.Subject }, Is.All.Null);
    }

    [Test]
    public void SnsEnvelope_DuplicateMessageKey_IsRefused()
    {
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("""{"Type":"Notification","Message":"a","Message":"b"}""", ContractsJsonContext.Default.SnsEnvelope));
    }

    [Test]
    public void BatchResponse_AwsLambdaDotnetSample_RoundTripsToTheSameJson()
    {
        var sample = RepositoryFiles.SharedEvent("sqs-batch-response.aws-lambda-dotnet.json");

        var response = JsonSerializer.Deserialize(sample, ContractsJsonContext.Default.SqsBatchResponse)!;
        var written = JsonSerializer.Serialize(response, ContractsJsonContext.Default.SqsBatchResponse);

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { "MessageID_1", "MessageID_2" }));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(written), JsonNode.Parse(sample)), Is.True, written);
    }

    [Test]
    public void BatchResponse_NoFailures_SerialisesAnEmptyList()
    {
        var written = JsonSerializer.Serialize(new SqsBatchResponse(), ContractsJsonContext.Default.SqsBatchResponse);

        Assert.That(written, Is.EqualTo("""{"batchItemFailures":[]}"""));
    }
}
