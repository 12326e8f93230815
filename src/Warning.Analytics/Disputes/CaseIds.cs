using System.Security.Cryptography;
using System.Text;

namespace Warning.Analytics.Disputes;

public static class CaseIds
{
    /// <summary>
    /// The id of the case opened by a report that came without a caseId. A pure function of the report id, so a
    /// feed that retries, and the simulator that drives the feed, know the id without waiting for the answer.
    /// </summary>
    /// <summary>Whether <paramref name="report"/> opened its case: it came without a caseId, or with the one derived from its own id.</summary>
    public static bool Opens(ScreeningReport report) => report.CaseId is null || report.CaseId == FromOpeningReport(report.ReportId);

    public static string FromOpeningReport(string reportId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(reportId), hash);
        return "case-" + Convert.ToHexStringLower(hash[..10]);
    }
}
