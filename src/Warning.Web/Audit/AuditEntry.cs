namespace Warning.Web.Audit;

/// <summary>
/// One audit record. Append-only: each carries the hash of the one before it, so editing or deleting a row breaks the
/// chain at that row (<see cref="AuditLog.VerifyAsync"/>).
/// </summary>
public sealed class AuditEntry
{
    public long Seq { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>user name, <c>apikey:{id}</c>, <c>screen:{id}</c> or <c>system</c>.</summary>
    public string Actor { get; set; } = "";

    public string Action { get; set; } = "";

    /// <summary>The record concerned, e.g. <c>person:p-17</c>, <c>user:alice</c>.</summary>
    public string Target { get; set; } = "";

    public string Reason { get; set; } = "";

    public string Outcome { get; set; } = "";

    public string PrevHash { get; set; } = "";

    public string Hash { get; set; } = "";
}
