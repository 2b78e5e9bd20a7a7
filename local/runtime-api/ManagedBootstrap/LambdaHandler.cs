using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace ManagedBootstrap;

/// <summary>
/// A function loaded from its bundle by its handler string as Lambda's dotnet runtime loads it, step by step and with
/// the same error for each case (aws/aws-lambda-dotnet, Libraries/src/Amazon.Lambda.RuntimeSupport:
/// Bootstrap/UserCodeLoader.cs for the order, Bootstrap/UserCodeValidator.cs and Bootstrap/InvokeDelegateBuilder.cs for
/// what a handler may be, ExceptionHandling/Errors.cs for the words):
/// <list type="number">
/// <item>the handler string (<see cref="HandlerInfo"/>);</item>
/// <item>the assembly, by name, from the task root;</item>
/// <item>the type, by its full name;</item>
/// <item>the method, by name among all of the type's declared methods, public or not, static or instance, then its base
/// types': a name with overloads is refused; else by its whole signature (<c>MethodInfo.ToString()</c>);</item>
/// <item>the method: not abstract, not generic, not <c>async void</c>, no <c>params</c>, no varargs;</item>
/// <item>the type: not generic, not abstract for an instance method, a class or a struct;</item>
/// <item>the instance: the public parameterless constructor (the function's init), or the static constructor for a
/// static method. A constructor's exception comes out wrapped in a TargetInvocationException, as on Lambda;</item>
/// <item>the parameters (at most two, the second an ILambdaContext) and the input and output types: a
/// <see cref="Stream"/> (the output any Stream, or a Task of one), anything else needs a serializer.</item>
/// </list>
/// What the stand-in cannot do, it refuses with <see cref="NotSupportedException"/>: an ILambdaContext parameter or a
/// serializer (the package feed has no Amazon.Lambda.Core to build them from). The function needs neither.
/// </summary>
public sealed class LambdaHandler
{
    /// <summary>The methods a handler is looked up among (Amazon.Lambda.RuntimeSupport, Bootstrap/Constants.cs, DefaultFlags).</summary>
    private const BindingFlags HandlerMethods = BindingFlags.DeclaredOnly | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;

    private const string LambdaContextType = "Amazon.Lambda.Core.ILambdaContext";
    private const string SerializerAttributeType = "Amazon.Lambda.Core.LambdaSerializerAttribute";

    private readonly object? _instance;
    private readonly MethodInfo _method;
    private readonly bool _takesInput;
    private readonly PropertyInfo? _taskResult;

    private LambdaHandler(AssemblyLoadContext context, Type type, object? instance, MethodInfo method, bool takesInput, PropertyInfo? taskResult)
    {
        Context = context;
        FunctionType = type;
        _instance = instance;
        _method = method;
        _takesInput = takesInput;
        _taskResult = taskResult;
    }

    /// <summary>The load context that holds the bundle.</summary>
    public AssemblyLoadContext Context { get; }

    /// <summary>The function's type, as loaded from the bundle.</summary>
    public Type FunctionType { get; }

    /// <summary>The method the handler string resolved to.</summary>
    public MethodInfo Method => _method;

    /// <summary>
    /// Loads the bundle in <paramref name="taskRoot"/> and creates the function (its init). Throws
    /// <see cref="LambdaValidationException"/> with Lambda's message when the handler cannot be used, and whatever the
    /// constructor throws, wrapped as reflection wraps it.
    /// </summary>
    public static LambdaHandler Load(string taskRoot, string handlerString)
    {
        var handler = HandlerInfo.Parse(handlerString);
        var context = new BundleLoadContext(Path.GetFullPath(taskRoot), handler.AssemblyName);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyName(handler.AssemblyName);
        }
        catch (FileNotFoundException e)
        {
            throw Errors.Validation(Errors.CouldNotFindHandlerAssembly, e.FileName);
        }
        catch (Exception)
        {
            throw Errors.Validation(Errors.UnableToLoadAssembly, handler.AssemblyName);
        }

        var type = assembly.GetType(handler.TypeName) ?? throw Errors.Validation(Errors.UnableToLoadType, handler.TypeName, handler.AssemblyName);
        var method = FindByName(type, handler) ?? FindBySignature(type, handler)
            ?? throw Errors.Validation(Errors.NoMatchingMethod, handler.MethodName, handler.TypeName, handler.AssemblyName, handler.MethodName);
        ValidateMethod(method);
        ValidateType(type, method);

        object? instance = null;
        if (method.IsStatic)
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }
        else
        {
            instance = Activator.CreateInstance(type);
        }

        var hasSerializer = HasSerializer(method) || HasSerializer(assembly);
        var takesInput = Input(method, handler, hasSerializer);
        var taskResult = Output(method, handler, hasSerializer);
        return new LambdaHandler(context, type, instance, method, takesInput, taskResult);
    }

    /// <summary>
    /// Invokes the function with one event and returns its output (empty for a handler that returns nothing). The
    /// function's exception comes out as itself: Lambda calls a compiled delegate, not reflection.
    /// </summary>
    public async Task<Stream> InvokeAsync(Stream input)
    {
        var result = _method.Invoke(_instance, BindingFlags.DoNotWrapExceptions, binder: null, _takesInput ? [input] : [], culture: null);
        if (result is Task task)
        {
            await task.ConfigureAwait(false);
            result = _taskResult?.GetValue(task);
        }

        return result as Stream ?? new MemoryStream([], writable: false);
    }

    /// <summary>UserCodeLoader.FindCustomerMethodByName: this type's methods of that name, then its base type's.</summary>
    private static MethodInfo? FindByName(Type type, HandlerInfo handler)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            MethodInfo? found;
            try
            {
                found = current.GetMethod(handler.MethodName, HandlerMethods);
            }
            catch (AmbiguousMatchException)
            {
                throw Overloads(current, handler);
            }

            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>UserCodeLoader.FindCustomerMethodBySignature: the method whose <c>ToString()</c> is the handler's method part.</summary>
    private static MethodInfo? FindBySignature(Type type, HandlerInfo handler)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            var matches = current.GetMethods(HandlerMethods).Where(m => string.Equals(m.ToString(), handler.MethodName, StringComparison.Ordinal)).ToList();
            if (matches.Count > 1)
            {
                throw Overloads(current, handler);
            }

            if (matches.Count == 1)
            {
                return matches[0];
            }
        }

        return null;
    }

    private static LambdaValidationException Overloads(Type type, HandlerInfo handler)
    {
        var candidates = type.GetMethods(HandlerMethods)
            .Where(m => string.Equals(m.Name, handler.MethodName, StringComparison.Ordinal) || string.Equals(m.ToString(), handler.MethodName, StringComparison.Ordinal))
            .Select(m => m.ToString());
        return Errors.Validation(Errors.MethodHasOverloads, handler.MethodName, type.FullName, string.Join("\n", candidates));
    }

    /// <summary>UserCodeValidator.ValidateCustomerMethod, in its order.</summary>
    private static void ValidateMethod(MethodInfo method)
    {
        if (method.IsAbstract)
        {
            throw Errors.Validation(Errors.HandlerMethodAbstract, method);
        }

        if (method.IsGenericMethod)
        {
            throw Errors.Validation(Errors.HandlerMethodGeneric, method);
        }

        if (method.ReturnType == typeof(void) && method.GetCustomAttribute<AsyncStateMachineAttribute>() is not null)
        {
            throw Errors.Validation(Errors.HandlerMethodAsyncVoid, method);
        }

        var parameters = method.GetParameters();
        if (parameters.Length > 0 && parameters[^1].GetCustomAttribute<ParamArrayAttribute>() is not null)
        {
            throw Errors.Validation(Errors.HandlerMethodParams, method);
        }

        if (method.CallingConvention.HasFlag(CallingConventions.VarArgs))
        {
            throw Errors.Validation(Errors.HandlerMethodVararg, method);
        }
    }

    /// <summary>UserCodeValidator.ValidateCustomerType, in its order.</summary>
    private static void ValidateType(Type type, MethodInfo method)
    {
        if (type.IsGenericType)
        {
            throw Errors.Validation(Errors.HandlerTypeGeneric, type.FullName);
        }

        if (type.IsAbstract && !method.IsStatic)
        {
            throw Errors.Validation(Errors.HandlerTypeAbstract, method, type.FullName);
        }

        // UserCodeValidator: a class, or a struct (a value type that is neither a primitive nor an enum).
        if (!type.IsClass && !(type.IsValueType && !type.IsPrimitive && !type.IsEnum))
        {
            throw Errors.Validation(Errors.HandlerNotClassOrStruct, type.FullName);
        }
    }

    /// <summary>InvokeDelegateBuilder.BuildInputExpressionOrNull: whether the method takes the event, checked as Lambda checks it.</summary>
    private static bool Input(MethodInfo method, HandlerInfo handler, bool hasSerializer)
    {
        var parameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
        if (parameters.Length > 2)
        {
            throw Errors.Validation(Errors.MethodTooManyParams, method.Name, handler.TypeName);
        }

        if (parameters.Length == 2 && !IsLambdaContext(parameters[1]))
        {
            throw Errors.Validation(Errors.MethodSecondParamNotContext, method.Name, handler.TypeName, LambdaContextType);
        }

        if (parameters.Any(IsLambdaContext))
        {
            throw new NotSupportedException($"{method} takes an {LambdaContextType}, which Lambda passes but this local stand-in cannot build (the package feed has no Amazon.Lambda.Core)");
        }

        if (parameters.Length == 0)
        {
            return false;
        }

        if (parameters[0] != typeof(Stream))
        {
            throw hasSerializer
                ? new NotSupportedException($"{method} takes a {parameters[0]}, which Lambda would read with its LambdaSerializer; this local stand-in runs Stream handlers only")
                : Errors.Validation(Errors.DeserializeMissingAttribute, handler.AssemblyName, handler.MethodName, parameters[0].FullName);
        }

        return true;
    }

    /// <summary>
    /// InvokeDelegateBuilder.CreateOutputExpression: nothing (void, Task), or a Stream (any Stream, or a Task of one,
    /// whose Result property is returned); anything else needs a serializer.
    /// </summary>
    private static PropertyInfo? Output(MethodInfo method, HandlerInfo handler, bool hasSerializer)
    {
        var taskOfT = TaskOfT(method.ReturnType);
        var output = taskOfT?.GenericTypeArguments[0] ?? method.ReturnType;
        if (taskOfT is null && (output == typeof(void) || typeof(Task).IsAssignableFrom(output)))
        {
            return null;
        }

        if (!typeof(Stream).IsAssignableFrom(output))
        {
            throw hasSerializer
                ? new NotSupportedException($"{method} returns a {output}, which Lambda would write with its LambdaSerializer; this local stand-in runs Stream handlers only")
                : Errors.Validation(Errors.SerializeMissingAttribute, handler.AssemblyName, handler.MethodName, output.FullName);
        }

        return taskOfT?.GetProperty(nameof(Task<Stream>.Result));
    }

    /// <summary>The Task&lt;T&gt; that <paramref name="type"/> is or derives from (InvokeDelegateBuilder.GetTaskTSubclassOrNull).</summary>
    private static Type? TaskOfT(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.IsConstructedGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
            {
                return type;
            }
        }

        return null;
    }

    private static bool IsLambdaContext(Type type) =>
        type.FullName == LambdaContextType || type.GetInterfaces().Any(i => i.FullName == LambdaContextType);

    private static bool HasSerializer(ICustomAttributeProvider provider) =>
        provider.GetCustomAttributes(inherit: false).Any(a => a.GetType().FullName == SerializerAttributeType);

    /// <summary>
    /// The bundle's own assemblies, resolved through its deps.json (Lambda starts its runtime with the function's
    /// deps.json), else from the task root; the framework's come from the default context, as on Lambda.
    /// </summary>
    private sealed class BundleLoadContext : AssemblyLoadContext
    {
        private readonly string _taskRoot;
        private readonly AssemblyDependencyResolver? _resolver;

        public BundleLoadContext(string taskRoot, AssemblyName main)
            : base("lambda-bundle")
        {
            _taskRoot = taskRoot;
            var mainPath = Path.Combine(taskRoot, $"{main.Name}.dll");
            _resolver = File.Exists(mainPath) ? new AssemblyDependencyResolver(mainPath) : null;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = _resolver?.ResolveAssemblyToPath(assemblyName) ?? Path.Combine(_taskRoot, $"{assemblyName.Name}.dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
