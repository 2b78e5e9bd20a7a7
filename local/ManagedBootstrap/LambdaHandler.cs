using System.Reflection;
using System.Runtime.Loader;

namespace ManagedBootstrap;

/// <summary>
/// A function loaded from its published bundle by its handler string (<c>Assembly::Namespace.Type::Method</c>)
/// as the .NET managed runtime does it: a fresh <see cref="AssemblyLoadContext"/> over the bundle that
/// resolves the bundle's own dependencies from its deps.json, the type created once with its parameterless
/// constructor (the function's init), and the method invoked per event with a <see cref="Stream"/>.
/// </summary>
public sealed class LambdaHandler
{
    private readonly object _instance;
    private readonly MethodInfo _method;

    private LambdaHandler(BundleLoadContext context, object instance, MethodInfo method)
    {
        Context = context;
        _instance = instance;
        _method = method;
    }

    /// <summary>The load context that holds the bundle.</summary>
    public AssemblyLoadContext Context { get; }

    /// <summary>The function's type, as loaded from the bundle.</summary>
    public Type FunctionType => _instance.GetType();

    /// <summary>Loads the bundle and runs the function's constructor. Throws with what is wrong with the handler string.</summary>
    public static LambdaHandler Load(string bundleDirectory, string handler)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"handler \"{handler}\" is not Assembly::Namespace.Type::Method", nameof(handler));
        }

        var assemblyPath = Path.Combine(Path.GetFullPath(bundleDirectory), parts[0] + ".dll");
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"the bundle has no {parts[0]}.dll (handler \"{handler}\")", assemblyPath);
        }

        var context = new BundleLoadContext(assemblyPath);
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var type = assembly.GetType(parts[1]) ?? throw new TypeLoadException($"{parts[0]}.dll has no type {parts[1]} (handler \"{handler}\")");
        var method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static, [typeof(Stream)])
            ?? throw new MissingMethodException($"{parts[1]} has no public method {parts[2]}(Stream) (handler \"{handler}\")");
        if (method.ReturnType != typeof(Task<Stream>) && method.ReturnType != typeof(Stream))
        {
            throw new MissingMethodException($"{parts[1]}.{parts[2]} must return Stream or Task<Stream>, not {method.ReturnType}");
        }

        object instance;
        try
        {
            instance = method.IsStatic ? type : Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The function's own init error (a missing setting, say), not reflection's wrapper.
            throw e.InnerException;
        }

        return new LambdaHandler(context, instance, method);
    }

    /// <summary>Invokes the function with one event. An exception from the function comes out as itself.</summary>
    public async Task<Stream> InvokeAsync(Stream input)
    {
        object? result;
        try
        {
            result = _method.Invoke(_method.IsStatic ? null : _instance, [input]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        return result is Task<Stream> task ? await task.ConfigureAwait(false) : (Stream)result!;
    }

    private sealed class BundleLoadContext(string mainAssembly) : AssemblyLoadContext("lambda-bundle")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
