using System.Reflection;
using System.Text.Json;

namespace Warning.Silo.GrainHost;

/// <summary>Configuration of the grain host: which grain classes implement which interfaces, idle collection, state JSON.</summary>
public sealed class GrainHostOptions
{
    private readonly Dictionary<Type, Type> _grains = new();
    private readonly HashSet<Type> _explicit = new();

    /// <summary>An activation with no call for longer than this is deactivated by the collector (timer ticks do not count). Default 10 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the background collector looks for idle activations. Default 1 minute.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The cancellation token passed to <see cref="Grain.OnDeactivateAsync"/> fires after this long. Default 30 seconds.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How <see cref="Grain{TState}"/> state is serialised. Default: <see cref="JsonSerializerDefaults.Web"/>.</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Grain interface → implementation class, as registered so far.</summary>
    public IReadOnlyDictionary<Type, Type> Grains => _grains;

    /// <summary>Registers <typeparamref name="TImplementation"/> as the grain behind <typeparamref name="TInterface"/>. An explicit registration wins over assembly scanning.</summary>
    public GrainHostOptions AddGrain<TInterface, TImplementation>()
        where TInterface : IGrainWithStringKey
        where TImplementation : Grain, TInterface
        => AddGrain(typeof(TInterface), typeof(TImplementation));

    /// <summary>Non-generic form of <see cref="AddGrain{TInterface, TImplementation}"/>.</summary>
    public GrainHostOptions AddGrain(Type grainInterface, Type implementation)
    {
        Validate(grainInterface, implementation);
        _grains[grainInterface] = implementation;
        _explicit.Add(grainInterface);
        return this;
    }

    /// <summary>
    /// Registers every concrete class of <paramref name="assembly"/> deriving from <see cref="Grain"/> for each
    /// grain interface (an interface extending <see cref="IGrainWithStringKey"/>) it implements. Interfaces already
    /// registered are left alone. An interface implemented by several classes is a shared base (like IAreaGrain under
    /// IGridGrain and IVillageGrain): it is not addressable by itself unless registered explicitly.
    /// </summary>
    public GrainHostOptions AddGrainsFromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var found = new Dictionary<Type, List<Type>>();
        foreach (var type in SafeGetTypes(assembly))
        {
            if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || !typeof(Grain).IsAssignableFrom(type)) continue;
            foreach (var itf in type.GetInterfaces())
            {
                if (itf == typeof(IGrainWithStringKey) || !typeof(IGrainWithStringKey).IsAssignableFrom(itf)) continue;
                if (!found.TryGetValue(itf, out var list)) found[itf] = list = new List<Type>();
                list.Add(type);
            }
        }
        foreach (var (itf, impls) in found)
        {
            if (_explicit.Contains(itf)) continue;
            if (impls.Count > 1 || _grains.ContainsKey(itf)) continue;
            _grains[itf] = impls[0];
        }
        return this;
    }

    private static void Validate(Type grainInterface, Type implementation)
    {
        ArgumentNullException.ThrowIfNull(grainInterface);
        ArgumentNullException.ThrowIfNull(implementation);
        if (!grainInterface.IsInterface || !typeof(IGrainWithStringKey).IsAssignableFrom(grainInterface) || grainInterface == typeof(IGrainWithStringKey))
            throw new ArgumentException($"{grainInterface.FullName} is not a grain interface (an interface extending IGrainWithStringKey).", nameof(grainInterface));
        if (!implementation.IsClass || implementation.IsAbstract || implementation.ContainsGenericParameters || !typeof(Grain).IsAssignableFrom(implementation))
            throw new ArgumentException($"{implementation.FullName} is not a concrete class deriving from Grain.", nameof(implementation));
        if (!grainInterface.IsAssignableFrom(implementation))
            throw new ArgumentException($"{implementation.FullName} does not implement {grainInterface.FullName}.", nameof(implementation));
    }

    private static IEnumerable<Type> SafeGetTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t is not null)!; }
    }
}
