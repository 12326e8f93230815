using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Ingest;

namespace Warning.Web.Tests.Jobs;

/// <summary>The re-score ticks a node's jobs appended to its ingest log: what ran there, each naming its occurrence.</summary>
internal static class RescoreTicks
{
    public static string[] Reasons(IServiceProvider services) => services.GetRequiredService<IngestLog>().ReadAfter(0)
        .Where(e => e.Kind == IngestKind.Rescore)
        .Select(e => JsonNode.Parse(e.Payload)!["reason"]!.GetValue<string>()).ToArray();
}
