namespace Warning.Silo.Tests.Orleans;

/// <summary>Cluster tests run one class at a time: each starts silos, and two cores shared with other builds are enough for one cluster.</summary>
[CollectionDefinition(Name)]
public sealed class OrleansClusterCollection
{
    public const string Name = "Orleans cluster";
}
