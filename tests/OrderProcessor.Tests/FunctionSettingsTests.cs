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
}
