using System.Text.Json;
using Warning.Analytics.Disputes;

namespace Warning.Web.Ingest;

/// <summary>
/// The rules of <c>POST /api/v1/persons</c>: a key individual exists only with a recorded, current legal or care basis.
/// Any other field (a name, an id number) is dropped, never stored.
/// </summary>
public static class PersonRules
{
    public static (KeyIndividual? Person, FieldReader Fields) Read(JsonElement item, IngestContext context, FieldSchema? schema = null)
    {
        var f = new FieldReader(item) { Schema = schema };
        var personId = f.Id("personId", required: true);
        var gridId = f.Id("gridId", required: true);
        var basis = f.Enum<SupervisionBasis>("basis", required: true);
        var reference = f.Text("basisReference", 200);
        f.Note("basisReference", "The decision or record the basis rests on; not blank.", required: true);
        if (string.IsNullOrWhiteSpace(reference) && f.IsValid) f.Fail("basisReference", "required", "'basisReference' (the decision or record the basis rests on) is required");
        var reviewedAt = f.Time("basisReviewedAt", required: true);
        var expiresAt = f.Time("basisExpiresAt", required: true);

        context.CheckGrid(f, gridId);
        context.CheckEventTime(f, "basisReviewedAt", reviewedAt);
        f.Note("basisExpiresAt", "In the future, and after 'basisReviewedAt'.");
        if (expiresAt is not null && expiresAt <= context.Now) f.Fail("basisExpiresAt", "expired", "the basis has expired; a key individual needs a current basis");
        if (expiresAt is not null && reviewedAt is not null && expiresAt <= reviewedAt) f.Fail("basisExpiresAt", "order", "'basisExpiresAt' must be after 'basisReviewedAt'");
        if (!f.IsValid) return (null, f);

        context.PersonsInBatch.Add(personId!);
        return (new KeyIndividual(personId!, gridId!, basis!.Value, reference!, reviewedAt!.Value, expiresAt!.Value), f);
    }
}
