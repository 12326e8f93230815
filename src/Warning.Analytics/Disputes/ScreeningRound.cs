using Orleans;

namespace Warning.Analytics.Disputes;

/// <summary>
/// A grid worker's screening round (排查走访) as accepted at <c>POST /api/v1/screenings</c>. The round that found nothing
/// (零报告) is the point: without it a quiet grid and a grid nobody visited look the same, and screening compliance
/// could only count grids that happened to have a dispute.
/// </summary>
/// <param name="ReportIds">The screening reports filed in this round; empty when it found nothing or the feed did not list them.</param>
[GenerateSerializer, Immutable, Alias("ScreeningRound")]
public sealed record ScreeningRound(
    string ScreeningId,
    string GridId,
    DateTimeOffset ScreenedAt,
    string ReporterId,
    int? HouseholdsVisited,
    ScreeningFindings Findings,
    IReadOnlyList<string> ReportIds);

/// <summary>
/// What history needs of a screening round: the grid and the moment. Reading a city's log yields these instead of whole
/// rounds (three million of them in 460 days of Dingxi, two thirds of the log), which halves the heap a pack or a
/// retraining builds.
/// </summary>
public sealed record ScreeningMark(string GridId, DateTimeOffset ScreenedAt);
