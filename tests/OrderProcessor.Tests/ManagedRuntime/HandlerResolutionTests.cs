extern alias managed;

using System.Text.Json;
using managed::ManagedBootstrap;
using OrderProcessor.Runtime;
using OrderProcessor.Tests.Runtime;

namespace OrderProcessor.Tests.ManagedRuntime;

/// <summary>
/// The managed bootstrap resolves handler strings by the rules of Lambda's dotnet runtime and fails with its messages
/// (aws/aws-lambda-dotnet, Libraries/src/Amazon.Lambda.RuntimeSupport: Bootstrap/UserCodeLoader.cs,
/// Bootstrap/UserCodeValidator.cs, Bootstrap/InvokeDelegateBuilder.cs, ExceptionHandling/Errors.cs; expected texts
/// as that project's own handler tests expect them). The task root is this test assembly's folder, its deps.json
/// resolving its dependencies as a bundle's does.
/// </summary>
[NonParallelizable]
public sealed class HandlerResolutionTests
{
    private const string Assembly = "OrderProcessor.Tests";
    private const string Namespace = "OrderProcessor.Tests.ManagedRuntime.Shapes";

    private static string TaskRoot => AppContext.BaseDirectory;

    private static string Handler(string type, string method) => $"{Assembly}::{Namespace}.{type}::{method}";

    private static string Refusal(string handler) => Assert.Throws<LambdaValidationException>(() => LambdaHandler.Load(TaskRoot, handler))!.Message;

    [Test]
    public void Load_MethodWithOverloads_FailsWithLambdasMessageListingEveryCandidate()
    {
        var message = Refusal(Handler("Overloaded", "HandleAsync"));

        Assert.That(message, Is.EqualTo(
            $"The method 'HandleAsync' in type '{Namespace}.Overloaded' appears to have a number of overloads. To call this method please specify a complete method signature. Possible candidates are:\n" +
            "System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream)\n" +
            "System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream, System.String)\n" +
            "System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream, System.Nullable`1[System.TimeSpan])."));
    }

    [Test]
    public void Load_PrivateOverload_CountsAsAnOverload()
    {
        Assert.That(Refusal(Handler("OverloadedPrivately", "Handle")), Does.StartWith($"The method 'Handle' in type '{Namespace}.OverloadedPrivately' appears to have a number of overloads."));
    }

    [Test]
    public async Task Load_OverloadNamedByItsWholeSignature_ResolvesThatOne()
    {
        var handler = LambdaHandler.Load(TaskRoot, Handler("Overloaded", "System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream)"));

        Assert.That(handler.Method.GetParameters(), Has.Length.EqualTo(1));
        Assert.That(TestEvents.ReadAll(await handler.InvokeAsync(new MemoryStream("abc"u8.ToArray()))), Is.EqualTo("abc"));
    }

    [TestCase("", "Empty lambda function handler. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    [TestCase("   ", "Invalid lambda function handler: '   '. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    [TestCase("OrderProcessor.Tests::Malformed", "Invalid lambda function handler: 'OrderProcessor.Tests::Malformed'. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    [TestCase(" ::T::M", "Invalid lambda function handler: ' ::T::M', the assembly is missing. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    [TestCase("A:: ::M", "Invalid lambda function handler: 'A:: ::M', the type is missing. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    [TestCase("A::T:: ", "Invalid lambda function handler: 'A::T:: ', the method is missing. The valid format is 'ASSEMBLY::TYPE::METHOD'.")]
    public void Load_MalformedHandlerString_FailsWithLambdasMessage(string handler, string expected)
    {
        Assert.That(Refusal(handler), Is.EqualTo(expected));
    }

    [Test]
    public void Load_MissingAssembly_SaysItMustBeAtTheRootOfTheZip()
    {
        Assert.That(Refusal("NoSuchAssembly::T::M"), Does.StartWith("Could not find the specified handler assembly with the file name 'NoSuchAssembly").And.EndWith("'. The assembly should be located in the root of your uploaded .zip file."));
    }

    [Test]
    public void Load_MissingType_NamesTypeAndAssembly()
    {
        Assert.That(Refusal($"{Assembly}::{Namespace}.NoSuchType::M"), Is.EqualTo($"Unable to load type '{Namespace}.NoSuchType' from assembly '{Assembly}'."));
    }

    [Test]
    public void Load_MissingMethod_NamesMethodTypeAndAssembly()
    {
        Assert.That(Refusal(Handler("Echo", "NoSuchMethod")), Is.EqualTo($"Unable to find method 'NoSuchMethod' in type '{Namespace}.Echo' from assembly '{Assembly}': Found no methods matching method name 'NoSuchMethod'."));
    }

    [TestCase("AbstractHandlers", "AbstractMethod", "The method 'System.IO.Stream AbstractMethod(System.IO.Stream)' cannot be used as a Lambda Handler because it is an abstract method. Handler methods cannot be abstract. Please specify a non-abstract handler method.")]
    [TestCase("GenericHandlers", "Generic", "The method 'System.IO.Stream Generic[T](System.IO.Stream)' cannot be used as a Lambda Handler because it is a generic method. Handler methods cannot be generic. Please specify a non-generic handler method.")]
    [TestCase("GenericHandlers", "AsyncVoid", "The method 'Void AsyncVoid(System.IO.Stream)' cannot be used as a Lambda Handler because it is an 'async void' method. Handler methods cannot be 'async void'. Please specify a method that is not 'async void'.")]
    [TestCase("GenericHandlers", "Params", "The method 'System.IO.Stream Params(System.IO.Stream[])' cannot be used as a Lambda Handler because it is a 'params' method. Please specify a method that does not use 'params'.")]
    [TestCase("AbstractHandlers", "InstanceOnAbstractType", "The instance method 'System.IO.Stream InstanceOnAbstractType(System.IO.Stream)' cannot be used as a Lambda Handler because its type 'OrderProcessor.Tests.ManagedRuntime.Shapes.AbstractHandlers' is abstract. Please either use a static handler or specify a type that is not abstract.")]
    [TestCase("GenericType`1", "Handle", "The type 'OrderProcessor.Tests.ManagedRuntime.Shapes.GenericType`1' cannot be used as a Lambda Handler type because it is generic. Handler methods cannot be located in generic types. Please specify a handler method in a non-generic type.")]
    [TestCase("GenericHandlers", "ThreeParameters", "Method 'ThreeParameters' of type 'OrderProcessor.Tests.ManagedRuntime.Shapes.GenericHandlers' is not supported: the method has more than 2 parameters.")]
    [TestCase("GenericHandlers", "SecondNotContext", "Method 'SecondNotContext' of type 'OrderProcessor.Tests.ManagedRuntime.Shapes.GenericHandlers' is not supported: the method has 2 parameters, but the second parameter is not of type 'Amazon.Lambda.Core.ILambdaContext'.")]
    [TestCase("GenericHandlers", "ReturnsString", "Could not find the LambdaSerializerAttribute on the assembly 'OrderProcessor.Tests' or method 'ReturnsString' while attempting to serialize output data of type 'System.String'. To use types other than System.IO.Stream as input/output parameters, the assembly or Lambda function should be annotated with Amazon.Lambda.LambdaSerializerAttribute.")]
    [TestCase("GenericHandlers", "TakesString", "Could not find the LambdaSerializerAttribute on the assembly 'OrderProcessor.Tests' or method 'TakesString' while attempting to deserialize input data of type 'System.String'. To use types other than System.IO.Stream as input/output parameters, the assembly or Lambda function should be annotated with Amazon.Lambda.LambdaSerializerAttribute.")]
    public void Load_HandlerLambdaRefuses_FailsWithLambdasMessage(string type, string method, string expected)
    {
        Assert.That(Refusal(Handler(type, method)), Is.EqualTo(expected));
    }

    [Test]
    public async Task Load_StaticPrivateAndStreamSubclassHandlers_AreAcceptedAsLambdaAcceptsThem()
    {
        var staticHandler = LambdaHandler.Load(TaskRoot, Handler("StaticEcho", "Handle"));
        var hidden = LambdaHandler.Load(TaskRoot, Handler("Echo", "Hidden"));
        var subclass = LambdaHandler.Load(TaskRoot, Handler("Echo", "Synchronous"));
        var none = LambdaHandler.Load(TaskRoot, Handler("Echo", "NoOutput"));

        Assert.That(TestEvents.ReadAll(await staticHandler.InvokeAsync(new MemoryStream("s"u8.ToArray()))), Is.EqualTo("s"));
        Assert.That(TestEvents.ReadAll(await hidden.InvokeAsync(new MemoryStream("h"u8.ToArray()))), Is.EqualTo("h"));
        Assert.That((await subclass.InvokeAsync(Stream.Null)).Length, Is.EqualTo(3));
        Assert.That((await none.InvokeAsync(Stream.Null)).Length, Is.EqualTo(0));
    }

    [Test]
    public void Load_ConstructorThrows_ComesOutWrappedAsOnLambda()
    {
        var error = Assert.Throws<System.Reflection.TargetInvocationException>(() => LambdaHandler.Load(TaskRoot, Handler("ThrowingConstructor", "Handle")));

        Assert.That(error!.InnerException, Is.TypeOf<InvalidOperationException>().With.Message.EqualTo("TABLE_NAME is not set"));
    }

    [Test]
    public void InvokeAsync_FunctionThrows_ItsOwnExceptionComesOut()
    {
        var handler = LambdaHandler.Load(TaskRoot, Handler("Throws", "Handle"));

        Assert.ThrowsAsync<InvalidDataException>(() => handler.InvokeAsync(Stream.Null));
    }

    [Test]
    public async Task ManagedBootstrap_HandlerWithOverloads_PostsLambdasInitErrorWithoutAnErrorTypeHeader()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("req-1", "{}");
        var log = new StringWriter();

        var exit = await LambdaBootstrap.RunAsync(new RuntimeApiClient("127.0.0.1:9001", api), () => LambdaHandler.Load(TaskRoot, Handler("Overloaded", "HandleAsync")), static (h, input, _) => h.InvokeAsync(input), log, initErrorType: null);

        Assert.That(exit, Is.EqualTo(1));
        var post = api.Requests.Single();
        using var body = JsonDocument.Parse(post.Body);
        Assert.Multiple(() =>
        {
            Assert.That(post.Path, Is.EqualTo("/2018-06-01/runtime/init/error"));
            Assert.That(post.Headers.ContainsKey("Lambda-Runtime-Function-Error-Type"), Is.False);
            Assert.That(post.Headers["Content-Type"], Is.EqualTo("application/vnd.aws.lambda.error+json"));
            Assert.That(body.RootElement.GetProperty("errorType").GetString(), Is.EqualTo("LambdaValidationException"));
            Assert.That(body.RootElement.GetProperty("errorMessage").GetString(), Does.StartWith("The method 'HandleAsync' in type"));
        });
    }

    [Test]
    public void Function_HasOneMethodNamedAsItsHandler_AmongAllItsMethods()
    {
        var method = RepositoryFiles.Handler.Split("::")[2];

        var named = typeof(Function).GetMethods(System.Reflection.BindingFlags.DeclaredOnly | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static)
            .Where(m => m.Name == method);

        Assert.That(named.Select(m => m.ToString()), Is.EqualTo(new[] { "System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream)" }));
    }
}
