using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Warning.Silo.GrainHost;

/// <summary>
/// Base of the DispatchProxy types that implement grain interfaces. A call becomes a work item queued to the grain's
/// activation; the caller gets a Task that completes when the turn does.
/// </summary>
public class GrainReference : DispatchProxy
{
    private GrainRuntime _runtime = null!;
    private GrainInterfaceInfo _interface = null!;
    private GrainActivation? _activation; // last activation used: skips the directory lookup while it lives

    internal GrainId Id { get; private set; }

    /// <summary>The grain interface this reference implements.</summary>
    public Type Interface => _interface.Type;

    /// <summary>The grain key.</summary>
    public string Key => Id.Key;

    internal void Initialize(GrainRuntime runtime, GrainInterfaceInfo info, GrainId id)
    {
        _runtime = runtime;
        _interface = info;
        Id = id;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        => _interface.GetInvoker(targetMethod!).Invoke(this, args ?? []);

    internal void Send(WorkItem item)
    {
        var activation = _activation;
        if (activation is null || !activation.TryEnqueue(item))
            _activation = _runtime.Route(Id, item);
    }

    public override string ToString() => $"{_interface.Type.Name}/{Id.Key}";
}

/// <summary>A validated grain interface with its per-method invokers.</summary>
internal sealed class GrainInterfaceInfo
{
    private readonly ConcurrentDictionary<MethodInfo, GrainMethodInvoker> _invokers = new();

    public GrainInterfaceInfo(Type type, GrainTypeInfo grainType)
    {
        Type = type;
        GrainType = grainType;
        foreach (var method in AllMethods(type))
            if (!method.IsGenericMethodDefinition)
                _invokers[method] = GrainMethodInvoker.Create(method);
    }

    public Type Type { get; }
    public GrainTypeInfo GrainType { get; }

    public GrainMethodInvoker GetInvoker(MethodInfo method)
        => _invokers.TryGetValue(method, out var invoker) ? invoker : _invokers.GetOrAdd(method, GrainMethodInvoker.Create);

    /// <summary>Throws unless every method of the interface (and the interfaces it extends) is async.</summary>
    public static void Validate(Type type)
    {
        if (!type.IsInterface || !typeof(IGrainWithStringKey).IsAssignableFrom(type) || type == typeof(IGrainWithStringKey))
            throw new ArgumentException($"{type.FullName} is not a grain interface: GetGrain needs an interface extending IGrainWithStringKey.");
        var bad = new List<string>();
        foreach (var m in AllMethods(type))
        {
            if (!IsAsyncReturn(m.ReturnType))
                bad.Add($"{m.DeclaringType!.Name}.{m.Name} returns {m.ReturnType.Name}");
            else if (m.GetParameters().Any(p => p.ParameterType.IsByRef))
                bad.Add($"{m.DeclaringType!.Name}.{m.Name} has a ref/out/in parameter");
        }
        if (bad.Count > 0)
            throw new NotSupportedException(
                $"Grain interface {type.FullName} has methods a grain cannot serve: {string.Join("; ", bad)}. " +
                "Every grain interface method must return Task, Task<T>, ValueTask or ValueTask<T> and take no ref/out/in parameters " +
                "(properties and events are not allowed).");
    }

    private static bool IsAsyncReturn(Type t)
    {
        if (t == typeof(Task) || t == typeof(ValueTask)) return true;
        if (!t.IsGenericType) return false;
        var def = t.GetGenericTypeDefinition();
        return def == typeof(Task<>) || def == typeof(ValueTask<>);
    }

    private static IEnumerable<MethodInfo> AllMethods(Type type)
        => new[] { type }.Concat(type.GetInterfaces())
            .Where(i => i != typeof(IGrainWithStringKey))
            .SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .Where(m => m.IsAbstract);
}

/// <summary>Turns a proxied call into a queued work item; one per interface method, built once with a compiled delegate.</summary>
internal abstract class GrainMethodInvoker
{
    public abstract object Invoke(GrainReference reference, object?[] args);

    public static GrainMethodInvoker Create(MethodInfo method)
    {
        var rt = method.ReturnType;
        if (rt == typeof(Task) || rt == typeof(ValueTask))
            return new VoidInvoker(Compile<ValueTask>(method), returnsValueTask: rt == typeof(ValueTask));
        var def = rt.GetGenericTypeDefinition();
        var result = rt.GetGenericArguments()[0];
        var create = typeof(GrainMethodInvoker).GetMethod(nameof(CreateGeneric), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(result);
        return (GrainMethodInvoker)create.Invoke(null, [method, def == typeof(ValueTask<>)])!;
    }

    private static GrainMethodInvoker CreateGeneric<T>(MethodInfo method, bool returnsValueTask)
        => new ResultInvoker<T>(Compile<ValueTask<T>>(method), returnsValueTask);

    /// <summary>(object grain, object?[] args) => new ValueTask[&lt;T&gt;](((IGrain)grain).Method((T0)args[0], ...)).</summary>
    private static Func<object, object?[], TResult> Compile<TResult>(MethodInfo method)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var parameters = method.GetParameters()
            .Select((p, i) => (Expression)Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType));
        Expression call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, parameters);
        if (call.Type != typeof(TResult))
            call = Expression.New(typeof(TResult).GetConstructor([call.Type])!, call); // Task → ValueTask, Task<T> → ValueTask<T>
        return Expression.Lambda<Func<object, object?[], TResult>>(call, grain, args).Compile();
    }

    private sealed class VoidInvoker(Func<object, object?[], ValueTask> method, bool returnsValueTask) : GrainMethodInvoker
    {
        public override object Invoke(GrainReference reference, object?[] args)
        {
            var item = new CallItem(method, args);
            reference.Send(item);
            return returnsValueTask ? new ValueTask(item.Task) : item.Task;
        }
    }

    private sealed class ResultInvoker<T>(Func<object, object?[], ValueTask<T>> method, bool returnsValueTask) : GrainMethodInvoker
    {
        public override object Invoke(GrainReference reference, object?[] args)
        {
            var item = new CallItem<T>(method, args);
            reference.Send(item);
            return returnsValueTask ? new ValueTask<T>(item.Task) : item.Task;
        }
    }
}
