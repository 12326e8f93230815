namespace Warning.Analytics.Reports;

/// <summary>Civil days <see cref="From"/> to <see cref="To"/>, both included, cut in the deployment's civil offset.</summary>
public sealed record BriefingPeriod(DateOnly From, DateOnly To, TimeSpan UtcOffset)
{
    public const int MaxDays = 732;

    public int Days => To.DayNumber - From.DayNumber + 1;

    public DateTimeOffset Start => new(From.ToDateTime(TimeOnly.MinValue), UtcOffset);

    /// <summary>The first moment after the period: "as of the end" means just before it.</summary>
    public DateTimeOffset End => new(To.AddDays(1).ToDateTime(TimeOnly.MinValue), UtcOffset);

    public BriefingPeriod Previous => new(From.AddDays(-Days), From.AddDays(-1), UtcOffset);

    public BriefingPeriod LastYear => new(From.AddYears(-1), To.AddYears(-1), UtcOffset);

    public bool Contains(DateTimeOffset moment) => moment >= Start && moment < End;

    public DateOnly DayOf(DateTimeOffset moment) => DateOnly.FromDateTime(moment.ToOffset(UtcOffset).DateTime);

    public override string ToString() => $"{From:yyyy-MM-dd}–{To:yyyy-MM-dd}";
}
