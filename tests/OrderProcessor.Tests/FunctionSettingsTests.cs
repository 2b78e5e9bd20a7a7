namespace OrderProcessor.Tests;

public sealed class FunctionSettingsTests
{
    [Test]
    public void FromEnvironment_NoTableName_SaysWhatToSet()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.FromEnvironment(_ => null));

        Assert.That(error!.Message, Does.StartWith("TABLE_NAME is not set: set it to the name of the DynamoDB table that stores orders"));
    }

    [Test]
    public void FromEnvironment_TableName_IsRead()
    {
        var settings = FunctionSettings.FromEnvironment(name => name == "TABLE_NAME" ? "Orders-dev" : null);

        Assert.That(settings, Is.EqualTo(new FunctionSettings { TableName = "Orders-dev", MaxConcurrency = 10 }));
    }

    [TestCase("5", 4000)]
    [TestCase("2", 1600)]
    [TestCase("900", 899000)]
    public void FromEnvironment_FunctionTimeout_LeavesAMarginToAnswer(string seconds, int budgetMs)
    {
        var settings = FunctionSettings.FromEnvironment(name => name switch
        {
            "TABLE_NAME" => "Orders",
            "FUNCTION_TIMEOUT_SECONDS" => seconds,
            _ => null,
        });

        Assert.That(settings.InvocationBudget, Is.EqualTo(TimeSpan.FromMilliseconds(budgetMs)));
    }

    [Test]
    public void FromEnvironment_NoFunctionTimeout_HasNoBudget()
    {
        Assert.That(FunctionSettings.FromEnvironment(name => name == "TABLE_NAME" ? "Orders" : null).InvocationBudget, Is.Null);
    }

    [Test]
    public void FromEnvironment_BadFunctionTimeout_SaysTheAllowedValues()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            FunctionSettings.FromEnvironment(name => name == "TABLE_NAME" ? "Orders" : name == "FUNCTION_TIMEOUT_SECONDS" ? "0" : null));

        Assert.That(error!.Message, Is.EqualTo("FUNCTION_TIMEOUT_SECONDS is '0': set it to a whole number from 1 to 900, or leave it unset for no time budget."));
    }

    [TestCase("0")]
    [TestCase("101")]
    [TestCase("ten")]
    public void FromEnvironment_BadConcurrency_SaysTheAllowedValues(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            FunctionSettings.FromEnvironment(name => name == "TABLE_NAME" ? "Orders" : value));

        Assert.That(error!.Message, Is.EqualTo($"MAX_RECORD_CONCURRENCY is '{value}': set it to a whole number from 1 to 100, or leave it unset for 10."));
    }

    private static Dictionary<string, string> WithBackoff() => new()
    {
        ["TABLE_NAME"] = "Orders-dev",
        ["ORDER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/000000000000/OrderQueue-dev",
        ["RETRY_BACKOFF_BASE_SECONDS"] = "480",
        ["RETRY_BACKOFF_MAX_SECONDS"] = "540",
    };

    [Test]
    public void FromEnvironment_QueueAndBackoff_AreReadTogether()
    {
        var variables = WithBackoff();

        var settings = FunctionSettings.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.That((settings.QueueUrl, settings.Backoff), Is.EqualTo((variables["ORDER_QUEUE_URL"], new OrderProcessor.Processing.BackoffSchedule(480, 540))));
    }

    [TestCase("ORDER_QUEUE_URL")]
    [TestCase("RETRY_BACKOFF_BASE_SECONDS")]
    [TestCase("RETRY_BACKOFF_MAX_SECONDS")]
    public void FromEnvironment_OneOfTheBackoffSettingsMissing_SaysTheyGoTogether(string missing)
    {
        var variables = WithBackoff();
        variables.Remove(missing);

        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.FromEnvironment(name => variables.GetValueOrDefault(name)));

        Assert.That(error!.Message, Does.StartWith("ORDER_QUEUE_URL, RETRY_BACKOFF_BASE_SECONDS and RETRY_BACKOFF_MAX_SECONDS go together"));
    }

    [Test]
    public void FromEnvironment_BackoffCapBelowItsBase_SaysWhatIsAllowed()
    {
        var variables = new Dictionary<string, string>
        {
            ["TABLE_NAME"] = "Orders-dev",
            ["ORDER_QUEUE_URL"] = "q",
            ["RETRY_BACKOFF_BASE_SECONDS"] = "60",
            ["RETRY_BACKOFF_MAX_SECONDS"] = "30",
        };

        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.FromEnvironment(name => variables.GetValueOrDefault(name)));

        Assert.That(error!.Message, Is.EqualTo("RETRY_BACKOFF_MAX_SECONDS is '30': set it to a whole number from 60 to 43200, or at least RETRY_BACKOFF_BASE_SECONDS; set it with the other two."));
    }
}
