using Warning.Web.Ingest;

namespace Warning.Web;

/// <summary>RFC 9457 problem+json answers that always name the field and the rule broken.</summary>
public static class Problems
{
    public static IResult Field(int status, string title, string field, string rule, string message) =>
        Results.Problem(statusCode: status, title: title, detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new IngestError(field, rule, message) } });

    public static IResult Rejected(string detail, IngestResponse response, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(statusCode: status, title: "No item was accepted", detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["accepted"] = response.Accepted,
                ["duplicates"] = response.Duplicates,
                ["rejected"] = response.Rejected,
                ["conflicts"] = response.Conflicts,
                ["items"] = response.Items,
                ["errors"] = response.Items.SelectMany(i => i.Errors ?? []).Take(50).ToArray(),
            });

    public static IResult NotFound(string field, string what) =>
        Field(StatusCodes.Status404NotFound, "Not found", field, "unknown", what);
}
