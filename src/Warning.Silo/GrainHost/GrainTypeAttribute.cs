namespace Warning.Silo.GrainHost;

/// <summary>
/// Names a grain implementation in storage (the <c>grain_type</c> column). Without it the implementation
/// class's full name is used, so renaming or moving a class would orphan its stored state: give long-lived
/// grains a stable name.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = !string.IsNullOrWhiteSpace(name)
        ? name
        : throw new ArgumentException("A grain type name must not be empty.", nameof(name));
}

/// <summary>A grain could not be activated (constructor, state read or OnActivateAsync failed); the inner exception says why.</summary>
public sealed class GrainActivationException(string message, Exception inner) : Exception(message, inner);
