using OrderProcessor.Orders;

namespace OrderProcessor.Tests.Orders;

public sealed class MessageBodyParserTests
{
    [Test]
    public void Parse_SnsEnvelope_ReadsTheOrderInMessage()
    {
        var result = MessageBodyParser.Parse(TestEvents.SnsEnvelope(TestEvents.SampleOrder));

        Assert.That(result.Order?.OrderId, Is.EqualTo("O1234"));
        Assert.That(result.Order?.Quantity, Is.EqualTo(1));
    }

    [Test]
    public void Parse_RawOrder_ReadsIt()
    {
        var result = MessageBodyParser.Parse(TestEvents.SampleOrder);

        Assert.That(result.Order?.OrderId, Is.EqualTo("O1234"));
    }

    [Test]
    public void Parse_AwsDocsEnvelope_RejectsItsNonJsonMessage()
    {
        var result = MessageBodyParser.Parse(RepositoryFiles.SharedEvent("sns-envelope-in-sqs-body.aws-docs.json"));

        Assert.That(result.Reason, Does.StartWith("order is not valid JSON: 'H' is an invalid start of a value."));
    }

    [Test]
    public void Parse_EnvelopeWithEmptyMessage_IsRejected()
    {
        Assert.That(MessageBodyParser.Parse(TestEvents.SnsEnvelope("")).Reason, Is.EqualTo("SNS envelope's Message is empty"));
    }

    [Test]
    public void Parse_EnvelopeWithoutMessage_IsRejected()
    {
        Assert.That(MessageBodyParser.Parse("""{"Type":"Notification","TopicArn":"arn"}""").Reason, Is.EqualTo("SNS envelope has no Message"));
    }

    [Test]
    public void Parse_EnvelopeWithMessageAsObject_IsRejected()
    {
        var result = MessageBodyParser.Parse("""{"Type":"Notification","Message":{"orderId":"O1"}}""");

        Assert.That(result.Reason, Does.StartWith("SNS envelope is not valid: "));
    }

    // Only the top-level Type makes an envelope: a member's object value is skipped whole, so a Type inside it is not
    // read (a raw order carrying an SNS notification of its own is still a raw order).
    [Test]
    public void Parse_RawOrderWithATypeNotificationNestedInAMember_IsReadAsAnOrder()
    {
        var body = TestEvents.SampleOrder.Replace("{\"orderId\"", "{\"source\":{\"Type\":\"Notification\",\"Message\":\"x\"},\"orderId\"");

        var result = MessageBodyParser.Parse(body);

        Assert.That(result.Reason, Is.Null);
        Assert.That(result.Order?.OrderId, Is.EqualTo("O1234"));
    }

    [Test]
    public void Parse_EmptyBody_IsRejected()
    {
        Assert.That(MessageBodyParser.Parse("").Reason, Is.EqualTo("body is empty"));
    }

    [Test]
    public void Parse_NotJson_IsRejectedAsAnInvalidOrder()
    {
        Assert.That(MessageBodyParser.Parse("Message Body").Reason, Does.StartWith("order is not valid JSON"));
    }

    // Valid JSON whose escapes make no valid UTF-16 (RFC 8259 section 8.2): the reader's comparisons threw
    // InvalidOperationException, so the record was logged failed and backed off like a table outage (npm run fuzz).
    [TestCase("""{"Type\ud800":"Notification","Message":"x"}""", TestName = "Parse_TypeNamedWithALoneSurrogate_IsNoEnvelope")]
    [TestCase("""{"Type":"Notific\udc00ation","Message":"x"}""", TestName = "Parse_TypeValueWithALoneSurrogate_IsNoEnvelope")]
    [TestCase("""{"order\udc001":"C1"}""", TestName = "Parse_FirstMemberNamedWithALoneSurrogate_IsAnOrderMissingItsFields")]
    public void Parse_LoneSurrogateEscapes_AreInvalidOrders_NotErrors(string body)
    {
        ParseResult result = default;

        Assert.DoesNotThrow(() => result = MessageBodyParser.Parse(body));

        Assert.That(result.Order, Is.Null);
        Assert.That(result.Reason, Does.Contain("orderId: is missing"));
    }
}
