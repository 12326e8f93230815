namespace Warning.Analytics.Hierarchy;

/// <summary>The boundaries file is inconsistent; the message names the feature and the rule it breaks.</summary>
public sealed class HierarchyException(string featureId, string message) : Exception($"feature '{featureId}': {message}")
{
    public string FeatureId { get; } = featureId;
}
