using Warning.Silo.Cases;
using Warning.Silo.GrainHost;
using Warning.Silo.Ingest;

namespace Warning.Web.Cases;

public static class CaseEndpoints
{
    public static RouteGroupBuilder MapCases(this RouteGroupBuilder api)
    {
        // Key individuals appear only as a count: who they are is for the supervising department, by role and audited.
        api.MapGet("/cases/{id}", async (string id, KnownIds known, IGrainFactory grains) =>
            known.IsCase(id) && await grains.GetGrain<ICaseGrain>(id).GetView() is { } view
                ? Results.Ok(view)
                : Problems.NotFound("id", $"case '{id}' does not exist"));
        return api;
    }
}
